import BrokerCore
import Foundation

/// Settings of a Google Cloud workload identity federation login, validated before anything is sent.
public struct GCPSettings: Sendable {
    public enum CredentialSource: String, CaseIterable, Sendable {
        /// A token file broker writes and `broker refresh` keeps fresh.
        case file
        /// `broker gcp-token NAME`, run by the client libraries when they need a token.
        case executable
    }

    public var provider: WorkloadIdentityProviderName
    /// The e-mail of a service account to impersonate (nil: use the federated token directly).
    public var serviceAccount: String?
    public var scopes = [GCPSettings.cloudPlatformScope]
    /// Lifetime of the impersonated access token.
    public var tokenLifetime: TimeInterval = 3600
    public var projectId: String?
    public var universeDomain = "googleapis.com"
    /// Base URLs: `{stsEndpoint}/v1/token`, `{iamEndpoint}/v1/projects/-/serviceAccounts/...`.
    public var stsEndpoint: String
    public var iamEndpoint: String
    public var credentialsFile: String
    /// The credential file's path was the default one, under `$BROKER_HOME` (broker's alone).
    public var credentialsFileIsDefault: Bool
    public var credentialSource = CredentialSource.file
    /// For `file`: the identity token the libraries read. For `executable`: Google's output-file cache.
    public var tokenFile: String
    public var executableOutputFile: String
    public var timeout: TimeInterval = 10
    public var maxAttempts = 5
    /// Said after a login that succeeded (an explicit credential file inside a git work tree).
    public var warnings: [String] = []

    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    public static let subjectTokenType = "urn:ietf:params:oauth:token-type:jwt"
    /// Google's own bounds for an executable credential source's `timeout_millis`.
    public static let executableTimeoutMillis = 30_000

    /// `name` is the login's (entry's) name: the default files are named after it.
    public init(block: SettingsBlock, name: String, context: ProviderContext) throws {
        let keys = GCPAdapter.keys
        guard let raw = block.string("workloadIdentityProvider") else {
            throw block.error("workloadIdentityProvider", "is required", hint: "the pool provider's full name, \(WorkloadIdentityProviderName.shape)")
        }
        do {
            provider = try WorkloadIdentityProviderName.parse(raw)
        } catch let problem as WorkloadIdentityProviderName.Problem {
            throw block.error("workloadIdentityProvider", problem.message, hint: problem.hint ?? "for example projects/123456789/locations/global/workloadIdentityPools/ci-pool/providers/github")
        }
        if let email = block.string("serviceAccount") {
            guard Self.isServiceAccount(email) else {
                throw block.error("serviceAccount", "'\(email.prefix(80))' is not a service account e-mail", hint: "for example deploy@my-project.iam.gserviceaccount.com")
            }
            serviceAccount = email
        }
        if let scopes = block.strings("scopes") {
            guard !scopes.isEmpty, scopes.allSatisfy(Self.isScope) else {
                throw block.error("scopes", "expected OAuth scope URLs or names without spaces", hint: "the default is \(Self.cloudPlatformScope)")
            }
            self.scopes = scopes
        }
        tokenLifetime = try block.duration(keys[named: "tokenLifetime"]) ?? tokenLifetime
        if block.values["tokenLifetime"] != nil, block.values["serviceAccount"] == nil {
            warnings.append("tokenLifetime applies only to an impersonated token; without serviceAccount Google's STS decides (about 1h)")
        }
        projectId = block.string("projectId")
        if let projectId, !Self.isProjectID(projectId) {
            throw block.error("projectId", "'\(projectId.prefix(80))' is not a project ID (6 to 30 lowercase letters, digits and hyphens)")
        }
        if let domain = block.string("universeDomain") {
            guard DomainName.isValid(domain) else { throw block.error("universeDomain", "'\(domain.prefix(80))' is not a domain name", hint: "the default is googleapis.com") }
            universeDomain = domain
        }
        stsEndpoint = try Self.baseURL(block, "stsEndpoint", default: "https://sts.\(universeDomain)")
        iamEndpoint = try Self.baseURL(block, "iamEndpoint", default: "https://iamcredentials.\(universeDomain)")
        if let source = block.string("credentialSource") {
            guard let value = CredentialSource(rawValue: source) else {
                throw block.error("credentialSource", "'\(source.prefix(40))' is not one of file, executable")
            }
            credentialSource = value
        }
        timeout = try block.duration(keys[named: "timeout"]) ?? timeout
        maxAttempts = try block.integer(keys[named: "maxAttempts"]) ?? maxAttempts

        let directory = context.brokerHome.file(GCPAdapter.directory)
        tokenFile = "\(directory)/\(name).jwt"
        executableOutputFile = "\(directory)/\(name)-executable.json"
        if let file = block.string("credentialsFile") {
            credentialsFile = HomePath.expand(file, home: context.home)
            guard credentialsFile.hasPrefix("/") else { throw block.error("credentialsFile", "'\(file)' must be an absolute path or start with ~/") }
            credentialsFileIsDefault = false
            if let tree = GitWorkTree.containing(credentialsFile, from: context.workingDirectory) {
                warnings.append("the credential file \(credentialsFile) is inside the git work tree \(tree): keep it out of commits and images (.gitignore, .dockerignore)")
            }
        } else {
            credentialsFile = "\(directory)/\(name).json"
            credentialsFileIsDefault = true
            // Google's action leaves gha-creds-*.json in the workspace, where builds copy it
            // into images: broker's default never goes there unasked.
            if let tree = GitWorkTree.containing(credentialsFile, from: context.workingDirectory) {
                throw block.error("credentialsFile", "the default place, \(credentialsFile), is inside the git work tree \(tree) (BROKER_HOME is there)",
                                  hint: "set credentialsFile to say that is where you want it, or point BROKER_HOME outside the work tree")
            }
        }
    }

    public var tokenURL: URL { URL(string: stsEndpoint + "/v1/token")! }

    public func impersonationURL(_ email: String) -> URL {
        URL(string: "\(iamEndpoint)/v1/projects/-/serviceAccounts/\(email):generateAccessToken")!
    }

    /// The scopes of the STS token: with impersonation it only has to call IAM Credentials
    /// (cloud-platform, as Google's own action asks); without, it is the token the user gets.
    public var exchangeScopes: [String] { serviceAccount == nil ? scopes : [Self.cloudPlatformScope] }

    static func baseURL(_ block: SettingsBlock, _ key: String, default fallback: String) throws -> String {
        guard let text = block.string(key) else { return fallback }
        _ = try HTTPURL.parse(text, name: block.location(key))
        guard URL(string: text)?.query == nil, URL(string: text)?.fragment == nil else {
            throw block.error(key, "a base URL takes no query or fragment", hint: "for example https://sts.googleapis.com")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func isServiceAccount(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return email.count <= 254 && parts.count == 2 && !parts[0].isEmpty && DomainName.isValid(String(parts[1]))
            && parts[0].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.+".contains($0)) }
    }

    static func isScope(_ scope: String) -> Bool {
        !scope.isEmpty && scope.count <= 2048 && scope.allSatisfy { $0.isASCII && !$0.isWhitespace && $0 != "\"" }
    }

    static func isProjectID(_ id: String) -> Bool {
        // Also the legacy `domain.com:project` form.
        let name = id.split(separator: ":").last.map(String.init) ?? id
        return (6...30).contains(name.count) && name.first?.isLetter == true
            && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-.:".contains($0)) }
    }
}
