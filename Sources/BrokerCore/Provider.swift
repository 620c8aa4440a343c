import Foundation

/// What a provider obtained: secret values, when they expire and who we became.
public struct IssuedCredentials: Sendable {
    public var identity: String
    public var expiration: Date?
    public var secrets: [String: SecretValue]
    /// Non-secret facts worth recording for `status` and `logout` (a Vault address, an accessor).
    public var details: [String: String]
    /// What `--output env|github` exports for this login; secret variables are masked on GitHub.
    public var environment: [EnvironmentExport.Variable]

    public init(identity: String, expiration: Date?, secrets: [String: SecretValue] = [:], details: [String: String] = [:],
                environment: [EnvironmentExport.Variable] = []) {
        self.identity = identity
        self.expiration = expiration
        self.secrets = secrets
        self.details = details
        self.environment = environment
    }
}

/// One thing a login wrote, so `status` and `logout` can find it again.
public struct WrittenTarget: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, section }
    public var kind: Kind
    public var path: String
    /// For `.section`: the INI section broker owns inside `path`.
    public var section: String?

    public init(kind: Kind, path: String, section: String? = nil) {
        self.kind = kind
        self.path = path
        self.section = section
    }
}

public struct LoginResult: Sendable {
    public var credentials: IssuedCredentials
    public var written: [WrittenTarget]
    /// A token file the provider's SDKs read, which `broker refresh` must keep fresh.
    public var tokenFile: String?

    public init(credentials: IssuedCredentials, written: [WrittenTarget], tokenFile: String? = nil) {
        self.credentials = credentials
        self.written = written
        self.tokenFile = tokenFile
    }
}

/// A cloud or service broker can log into. It gets decoded settings and a token and never
/// reads flags or the environment itself.
public protocol Provider: Sendable {
    /// The audience its identity token must carry.
    var audience: String { get }
    func login(token: IdentityToken) async throws -> LoginResult
}

/// What the executable hands every provider: where files go, the environment to resolve
/// their paths from, and how to call broker itself later (credential_process lines).
public struct ProviderContext: Sendable {
    public var home: String
    public var brokerHome: BrokerHome
    public var environment: [String: String]
    /// Absolute path of this broker binary.
    public var brokerPath: String
    /// The token-source flags of this run (`--token-file P`, `--source github`, ...).
    public var sourceArguments: [String]

    public init(home: String, brokerHome: BrokerHome, environment: [String: String], brokerPath: String = "broker",
                sourceArguments: [String] = []) {
        self.home = home
        self.brokerHome = brokerHome
        self.environment = environment
        self.brokerPath = brokerPath
        self.sourceArguments = sourceArguments
    }
}
