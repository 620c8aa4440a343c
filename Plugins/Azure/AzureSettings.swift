import BrokerCore
import Foundation

/// Settings of an Entra ID (Azure AD) federated-credential login, validated before anything is sent.
public struct AzureSettings: Sendable {
    /// The directory: a GUID or one of its verified domains (`contoso.onmicrosoft.com`).
    public var tenantId: String
    /// The application (client) ID of the app registration or user-assigned managed identity.
    public var clientId: String
    /// The access token the login proves the federation with (a resource's `/.default`).
    public var scope = AzureSettings.managementScope
    /// `https://login.microsoftonline.com`, or a sovereign cloud's host; no trailing slash.
    public var authorityHost = AzureSettings.publicCloudAuthority
    public var subscriptionId: String?
    /// The federated token file the SDKs send as their assertion (`broker refresh` renews it).
    public var tokenFile: String
    /// The token file's path was the default one, under `$BROKER_HOME` (broker's alone).
    public var tokenFileIsDefault: Bool
    /// The exported environment as `export K='v'` lines, beside the token file.
    public var environmentFile: String
    /// Where the access token goes too, when asked.
    public var accessTokenFile: String?
    public var timeout: TimeInterval = 10
    public var maxAttempts = 5
    /// Said after a login that succeeded (a file of secrets inside a git work tree).
    public var warnings: [String] = []

    public static let publicCloudAuthority = "https://login.microsoftonline.com"
    public static let managementScope = "https://management.azure.com/.default"
    /// Entra's default audience for federated credentials (sovereign clouds have their own).
    public static let defaultAudience = "api://AzureADTokenExchange"

    public init(block: SettingsBlock, name: String, context: ProviderContext) throws {
        let keys = AzureAdapter.keys
        guard let tenant = block.string("tenantId") else {
            throw block.error("tenantId", "is required", hint: "the directory (tenant) ID, a GUID, or a verified domain like contoso.onmicrosoft.com")
        }
        guard Self.isGUID(tenant) || Self.isDomain(tenant) else {
            throw block.error("tenantId", "'\(tenant.prefix(80))' is neither a GUID nor a domain name",
                              hint: ["common", "organizations", "consumers"].contains(tenant.lowercased())
                                  ? "a client-credentials login needs the tenant itself: its GUID or verified domain"
                                  : "the directory (tenant) ID from the app registration's overview, like 72f988bf-86f1-41af-91ab-2d7cd011db47")
        }
        tenantId = tenant
        guard let client = block.string("clientId") else {
            throw block.error("clientId", "is required", hint: "the application (client) ID of the app registration or managed identity")
        }
        guard Self.isGUID(client) else {
            throw block.error("clientId", "'\(client.prefix(80))' is not a GUID",
                              hint: "the application (client) ID from the app registration's overview (not its object ID or a display name)")
        }
        clientId = client
        if let scope = block.string("scope") {
            guard Self.isDefaultScope(scope) else {
                throw block.error("scope", "'\(scope.prefix(120))' is not a resource's /.default scope",
                                  hint: "a client-credentials grant takes one RESOURCE/.default, like \(Self.managementScope) or https://vault.azure.net/.default")
            }
            self.scope = scope
        }
        if let host = block.string("authorityHost") {
            authorityHost = try Self.authority(host, block: block)
        }
        if let subscription = block.string("subscriptionId") {
            guard Self.isGUID(subscription) else {
                throw block.error("subscriptionId", "'\(subscription.prefix(80))' is not a GUID", hint: "the subscription ID, as `az account list` shows it")
            }
            subscriptionId = subscription
        }
        timeout = try block.duration(keys[named: "timeout"]) ?? timeout
        maxAttempts = try block.integer(keys[named: "maxAttempts"]) ?? maxAttempts

        let directory = context.brokerHome.file(AzureAdapter.directory)
        if let file = block.string("tokenFile") {
            tokenFile = try Self.absolute(file, key: "tokenFile", block: block, context: context)
            tokenFileIsDefault = false
            environmentFile = (tokenFile as NSString).deletingPathExtension + ".env"
            if environmentFile == tokenFile { environmentFile += ".env" }
            if let tree = GitWorkTree.containing(tokenFile, from: context.workingDirectory) {
                warnings.append("the token file \(tokenFile) is inside the git work tree \(tree): keep it out of commits and images (.gitignore, .dockerignore)")
            }
        } else {
            tokenFile = "\(directory)/\(name).jwt"
            environmentFile = "\(directory)/\(name).env"
            tokenFileIsDefault = true
            if let tree = GitWorkTree.containing(tokenFile, from: context.workingDirectory) {
                throw block.error("tokenFile", "the default place, \(tokenFile), is inside the git work tree \(tree) (BROKER_HOME is there)",
                                  hint: "set tokenFile to say that is where you want it, or point BROKER_HOME outside the work tree")
            }
        }
        if let file = block.string("accessTokenFile") {
            let path = try Self.absolute(file, key: "accessTokenFile", block: block, context: context)
            guard path != tokenFile, path != environmentFile else {
                throw block.error("accessTokenFile", "is the same file as the token file or its environment file", hint: "name a file of its own")
            }
            accessTokenFile = path
            if let tree = GitWorkTree.containing(path, from: context.workingDirectory) {
                warnings.append("the access token file \(path) is inside the git work tree \(tree): keep it out of commits and images (.gitignore, .dockerignore)")
            }
        }
    }

    /// `{authorityHost}/{tenantId}/oauth2/v2.0/token`.
    public var tokenURL: URL {
        URL(string: "\(authorityHost)/\(tenantId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? tenantId)/oauth2/v2.0/token")!
    }

    static func authority(_ text: String, block: SettingsBlock) throws -> String {
        let url = try HTTPURL.parse(text, name: block.location("authorityHost"))
        guard url.scheme?.lowercased() == "https" else {
            throw block.error("authorityHost", "'\(text.prefix(120))' is not https: the Azure SDKs and CLI refuse any other authority",
                              hint: "for example \(publicCloudAuthority), https://login.microsoftonline.us or https://login.chinacloudapi.cn")
        }
        guard url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil else {
            throw block.error("authorityHost", "'\(text.prefix(120))' must be a host alone, without a path, query or fragment",
                              hint: "the tenant is its own setting: authorityHost \(publicCloudAuthority), tenantId TENANT")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func absolute(_ file: String, key: String, block: SettingsBlock, context: ProviderContext) throws -> String {
        let path = HomePath.expand(file, home: context.home)
        guard path.hasPrefix("/") else { throw block.error(key, "'\(file.prefix(200))' must be an absolute path or start with ~/") }
        return path
    }

    static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// A verified domain ends in a name, not a number (`10.0.0.1` is no tenant).
    static func isDomain(_ name: String) -> Bool {
        DomainName.isValid(name) && name.split(separator: ".").last!.allSatisfy(\.isLetter)
    }


    /// One `RESOURCE/.default` (an app ID URI, a URL or a GUID before it), as Entra requires
    /// of a client-credentials grant.
    static func isDefaultScope(_ scope: String) -> Bool {
        scope.hasSuffix("/.default") && scope.count > "/.default".count && scope.count <= 2048
            && scope.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "\"" }
    }
}
