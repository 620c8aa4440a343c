import BrokerCore
import Foundation

/// Registers `gcp-workload-identity` (Google Cloud workload identity federation) with the core.
public enum GCPAdapter {
    /// Under `$BROKER_HOME`: default credential files, token files and executable caches.
    public static let directory = "gcp"

    public static let keys: [SettingKey] = [
        SettingKey("workloadIdentityProvider", .string, required: true,
                   pattern: "^((//|https://)iam\\.googleapis\\.com/)?projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]{4,32}/providers/[a-z0-9-]{4,32}$|^\\$\\{.+\\}$",
                   help: "the pool provider, projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"),
        SettingKey("serviceAccount", .string, help: "service account e-mail to impersonate (default: use the federated token)"),
        SettingKey("scopes", .stringArray, help: "OAuth scopes (default https://www.googleapis.com/auth/cloud-platform)"),
        SettingKey("tokenLifetime", .duration, range: 60 ... 43200, help: "lifetime of the impersonated token, 1m to 12h (default 1h)"),
        SettingKey("projectId", .string, help: "project exported as CLOUDSDK_CORE_PROJECT, GOOGLE_CLOUD_PROJECT, ..."),
        SettingKey("universeDomain", .string, help: "universe domain (default googleapis.com); gives the STS and IAM hosts"),
        SettingKey("stsEndpoint", .string, pattern: SettingKey.urlPattern, help: "STS base URL (default https://sts.UNIVERSE); {stsEndpoint}/v1/token"),
        SettingKey("iamEndpoint", .string, pattern: SettingKey.urlPattern, help: "IAM Credentials base URL (default https://iamcredentials.UNIVERSE)"),
        SettingKey("credentialsFile", .string, help: "where the external_account file goes (default $BROKER_HOME/gcp/NAME.json)"),
        SettingKey("credentialSource", .oneOf(GCPSettings.CredentialSource.allCases.map(\.rawValue)),
                   help: "file (a token file 'broker refresh' renews; default) or executable ('broker gcp-token NAME')"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "timeout of each Google call, 1s to 10m (default 10s)"),
        SettingKey("maxAttempts", .integer, range: 1 ... 20, help: "attempts for network errors, 429 and 5xx, 1-20 (default 5)"),
    ]

    public static let descriptor = AdapterDescriptor(
        adapter: "gcp-workload-identity",
        summary: "Google Cloud workload identity federation; writes an external_account credential file",
        defaultAudience: nil,
        keys: keys,
        target: { block, context in
            guard let file = block.string("credentialsFile") else { return nil }
            return "the Google credential file \(HomePath.expand(file, home: context.home))"
        },
        make: { entry, context in
            GCPWorkloadIdentityProvider(name: entry.name, settings: try GCPSettings(block: entry.settings, name: entry.name, context: context),
                                        audience: entry.audience, context: context)
        },
        logout: { record, _ in try logout(record) },
        ownedDirectories: [directory],
        recordedExports: { record in GCPLoginRecord(record).map(exports) ?? [] },
        trustConcerns: { entry, _ in
            ["stsEndpoint", "iamEndpoint"].compactMap { key in
                guard let url = entry.settings.string(key), !isGoogleHost(URL(string: url)?.host) else { return nil }
                return "sends the token to the endpoint \(url)"
            }
        },
        loginCommand: "gcp",
        // Google's default: the provider's own name, which it accepts as the token's aud.
        derivedAudience: { block in
            block.string("workloadIdentityProvider").map { name in
                "//iam.googleapis.com/" + ((try? WorkloadIdentityProviderName.parse(name).resourceName) ?? name)
            }
        },
        issuesAccessToken: true)

    /// What `--output env|github` exports: where the libraries, gcloud and Google's actions
    /// look for the file, and the project under every name the tools read.
    static func exports(_ record: GCPLoginRecord) -> [EnvironmentExport.Variable] {
        var variables = ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH"].map {
            EnvironmentExport.Variable($0, record.credentialsFile)
        }
        if let project = record.projectId {
            variables += ["CLOUDSDK_CORE_PROJECT", "CLOUDSDK_PROJECT", "GCLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT"].map { EnvironmentExport.Variable($0, project) }
        }
        return variables
    }

    /// Credentials the tools would take over the file `exec` gives: Terraform reads
    /// `GOOGLE_OAUTH_ACCESS_TOKEN` and `GOOGLE_CREDENTIALS` first, gcloud its access-token file.
    static let shadowingVariables = ["GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_CREDENTIALS", "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"]

    static func isGoogleHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased() else { return false }
        return host == "googleapis.com" || host.hasSuffix(".googleapis.com")
    }

    /// Undoes the files the login wrote (a credential file that was the user's comes back),
    /// and removes the executable source's cache, which the libraries' runs wrote since.
    static func logout(_ record: StateStore.Record) throws -> [String] {
        var done = try record.undoFiles()
        if let cache = GCPLoginRecord(record)?.executableOutputFile, FileManager.default.fileExists(atPath: cache), SecureFile.remove(cache) {
            done.append("removed \(cache)")
        }
        return done
    }
}
