import Foundation

/// What a provider obtained: secret values, when they expire and who we became.
public struct IssuedCredentials: Sendable {
    public var identity: String
    public var expiration: Date?
    public var secrets: [String: SecretValue]
    public var details: [String: String]

    public init(identity: String, expiration: Date?, secrets: [String: SecretValue] = [:], details: [String: String] = [:]) {
        self.identity = identity
        self.expiration = expiration
        self.secrets = secrets
        self.details = details
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

    public init(credentials: IssuedCredentials, written: [WrittenTarget]) {
        self.credentials = credentials
        self.written = written
    }
}

/// A cloud or service broker can log into. It gets decoded settings and a token and never
/// reads flags or the environment itself.
public protocol Provider: Sendable {
    /// The audience its identity token must carry.
    var audience: String { get }
    func login(token: IdentityToken) async throws -> LoginResult
}

/// Maps adapter names (`aws-sts`, ...) to factories that decode a settings block into a
/// provider. The executable registers the built-in adapters; the core knows none by name.
public struct ProviderRegistry: Sendable {
    public typealias Factory = @Sendable (_ name: String, _ settings: [String: JSONValue], _ context: ProviderContext) throws -> any Provider
    private var factories: [String: Factory] = [:]

    public init() {}

    public mutating func register(adapter: String, factory: @escaping Factory) {
        factories[adapter] = factory
    }

    public var adapters: [String] { factories.keys.sorted() }

    public func makeProvider(name: String, adapter: String, settings: [String: JSONValue], context: ProviderContext) throws -> any Provider {
        guard let factory = factories[adapter] else {
            throw BrokerError.usage("providers.\(name).adapter: unknown adapter '\(adapter)'",
                                    hint: "known adapters: \(adapters.joined(separator: ", "))")
        }
        return try factory(name, settings, context)
    }
}

/// What the executable hands every provider: where files go and how to reach the network.
public struct ProviderContext: Sendable {
    public var home: String
    public var brokerHome: BrokerHome
    public var environment: [String: String]

    public init(home: String, brokerHome: BrokerHome, environment: [String: String]) {
        self.home = home
        self.brokerHome = brokerHome
        self.environment = environment
    }
}
