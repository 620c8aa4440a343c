import BrokerCore
import Foundation

/// Registers `azure-federated` (Entra ID workload identity federation) with the core.
public enum AzureAdapter {
    /// Under `$BROKER_HOME`: default token files and their environment files.
    public static let directory = "azure"

    static let guidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^\\$\\{.+\\}$"

    public static let keys: [SettingKey] = [
        SettingKey("tenantId", .string, required: true,
                   pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^([A-Za-z0-9-]{1,63}\\.)+[A-Za-z]{2,63}$|^\\$\\{.+\\}$",
                   help: "the directory (tenant): its GUID or a verified domain"),
        SettingKey("clientId", .string, required: true, pattern: guidPattern,
                   help: "application (client) ID of the app registration or managed identity holding the federated credential"),
        SettingKey("scope", .string, pattern: "^\\S+/\\.default$|^\\$\\{.+\\}$",
                   help: "RESOURCE/.default of the access token the login gets (default \(AzureSettings.managementScope))"),
        SettingKey("authorityHost", .string, pattern: "^https://[^/:@\\s]+(:[0-9]{1,5})?/?$|^\\$\\{.+\\}$",
                   help: "https Entra host (default \(AzureSettings.publicCloudAuthority); sovereign clouds have their own)"),
        SettingKey("tokenFile", .string, flag: "federated-token-file",
                   help: "where the federated token goes, AZURE_FEDERATED_TOKEN_FILE (default $BROKER_HOME/azure/NAME.jwt)"),
        SettingKey("subscriptionId", .string, pattern: guidPattern, help: "subscription exported as AZURE_SUBSCRIPTION_ID and ARM_SUBSCRIPTION_ID"),
        SettingKey("accessTokenFile", .string, help: "also write the access token to this file (0600)"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "timeout of each Entra call, 1s to 10m (default 10s)"),
        SettingKey("maxAttempts", .integer, range: 1 ... 20, help: "attempts for network errors, 429 and 5xx, 1-20 (default 5)"),
    ]

    public static let descriptor = AdapterDescriptor(
        adapter: "azure-federated",
        summary: "Entra ID (Azure) workload identity federation; writes a federated token file and the Azure SDK/Terraform environment",
        defaultAudience: AzureSettings.defaultAudience,
        keys: keys,
        target: { block, context in
            guard let file = block.string("tokenFile") else { return nil }
            return "the Azure federated token file \(HomePath.expand(file, home: context.home))"
        },
        make: { entry, context in
            AzureFederatedProvider(name: entry.name, settings: try AzureSettings(block: entry.settings, name: entry.name, context: context),
                                   audience: entry.audience, transport: context.transport)
        },
        logout: { record, _ in try record.undoFiles() },
        ownedDirectories: [directory],
        recordedExports: { record in AzureLoginRecord(record).map(exports) ?? [] },
        trustConcerns: { entry, _ in
            guard let host = entry.settings.string("authorityHost"), !isMicrosoftHost(URL(string: host)?.host) else { return [] }
            return ["sends the token to the endpoint \(host)"]
        },
        loginCommand: "azure",
        // Sovereign clouds name Entra by their own audience; an explicit `audience` still wins.
        derivedAudience: { block in
            block.string("authorityHost").flatMap { URL(string: $0)?.host?.lowercased() }.flatMap { sovereignAudiences[$0] }
        },
        issuesAccessToken: true)

    /// The federated-credential audience Entra expects in each sovereign cloud.
    static let sovereignAudiences = [
        "login.microsoftonline.us": "api://AzureADTokenExchangeUSGov",
        "login.chinacloudapi.cn": "api://AzureADTokenExchangeChina",
        "login.partner.microsoftonline.cn": "api://AzureADTokenExchangeChina",
    ]

    /// What `--output env|github` exports and the environment file holds: what the Azure SDKs'
    /// WorkloadIdentityCredential / DefaultAzureCredential and Terraform's azurerm and azuread
    /// providers read, so they refresh from the token file by themselves.
    static func exports(_ record: AzureLoginRecord) -> [EnvironmentExport.Variable] {
        var variables = [
            EnvironmentExport.Variable("AZURE_CLIENT_ID", record.clientId),
            EnvironmentExport.Variable("AZURE_TENANT_ID", record.tenantId),
            EnvironmentExport.Variable("AZURE_FEDERATED_TOKEN_FILE", record.tokenFile),
            EnvironmentExport.Variable("AZURE_AUTHORITY_HOST", record.authorityHost),
            EnvironmentExport.Variable("ARM_CLIENT_ID", record.clientId),
            EnvironmentExport.Variable("ARM_TENANT_ID", record.tenantId),
            EnvironmentExport.Variable("ARM_USE_OIDC", "true"),
            EnvironmentExport.Variable("ARM_OIDC_TOKEN_FILE_PATH", record.tokenFile),
        ]
        if let subscription = record.subscriptionId {
            variables += [EnvironmentExport.Variable("AZURE_SUBSCRIPTION_ID", subscription), EnvironmentExport.Variable("ARM_SUBSCRIPTION_ID", subscription)]
        }
        return variables
    }

    /// Other credentials the SDKs and Terraform would use before (or instead of) the federated
    /// token `exec` gives: a client secret or certificate, a password, an inline OIDC token.
    static let shadowingVariables = ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_USERNAME",
                                     "AZURE_PASSWORD", "ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_OIDC_TOKEN",
                                     "ARM_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_URL", "ARM_USE_MSI", "ARM_USE_CLI"]

    /// Entra's public and sovereign login hosts.
    static let microsoftHosts = ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "login.microsoftonline.us",
                                 "login.chinacloudapi.cn", "login.partner.microsoftonline.cn"]

    static func isMicrosoftHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased() else { return false }
        return microsoftHosts.contains(host)
    }
}
