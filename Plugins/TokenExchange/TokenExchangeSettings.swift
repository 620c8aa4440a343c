import BrokerCore
import Foundation

/// Settings of an RFC 8693 token exchange. The client secret is read from an environment
/// variable or a file at login, never from the config itself.
public struct TokenExchangeSettings: Sendable {
    public enum ClientAuth: String, Sendable, CaseIterable { case none, basic, post }

    public static let tokenTypePrefix = "urn:ietf:params:oauth:token-type:"
    public static let tokenTypes = ["access_token", "refresh_token", "id_token", "jwt", "saml1", "saml2"]

    public var tokenURL: URL
    public var exchangeAudience: String?
    public var resource: String?
    public var scope: String?
    public var requestedTokenType: String
    public var subjectTokenType: String
    public var clientId: String?
    public var clientAuth: ClientAuth
    public var clientSecretEnv: String?
    public var clientSecretFile: String?
    public var outputFile: String
    public var envVariable: String?
    public var timeout: TimeInterval

    public init(block: SettingsBlock, name: String, context: ProviderContext) throws {
        guard let text = block.string("tokenUrl") else {
            throw block.error("tokenUrl", "is required",
                              hint: "the token endpoint, e.g. https://idp.example.com/realms/ci/protocol/openid-connect/token")
        }
        tokenURL = try HTTPURL.parse(text, name: block.location("tokenUrl"))
        exchangeAudience = block.string("exchangeAudience")
        resource = block.string("resource")
        scope = block.string("scope")
        requestedTokenType = try Self.tokenType(block, "requestedTokenType", default: "access_token")
        subjectTokenType = try Self.tokenType(block, "subjectTokenType", default: "jwt")
        clientId = block.string("clientId")
        clientAuth = ClientAuth(rawValue: block.string("clientAuth") ?? "none") ?? .none
        clientSecretEnv = block.string("clientSecretEnv")
        clientSecretFile = block.string("clientSecretFile")
        if clientAuth != .none {
            guard clientId != nil else { throw block.error("clientId", "is required when clientAuth is \(clientAuth.rawValue)") }
            guard (clientSecretEnv == nil) != (clientSecretFile == nil) else {
                throw block.error("clientSecretEnv", "give exactly one of clientSecretEnv and clientSecretFile for clientAuth \(clientAuth.rawValue)",
                                  hint: "the secret itself never goes into the config")
            }
        }
        let output = block.string("outputFile") ?? context.brokerHome.file("tokens/\(name)")
        outputFile = HomePath.expand(output, home: context.home)
        guard outputFile.hasPrefix("/") else { throw block.error("outputFile", "'\(output)' must be absolute or start with ~/") }
        envVariable = block.string("envVariable")
        timeout = try block.duration(TokenExchangeAdapter.keys[named: "timeout"]) ?? 10
    }

    static func tokenType(_ block: SettingsBlock, _ key: String, default value: String) throws -> String {
        let text = block.string(key) ?? value
        let short = text.hasPrefix(tokenTypePrefix) ? String(text.dropFirst(tokenTypePrefix.count)) : text
        guard tokenTypes.contains(short) else {
            throw block.error(key, "'\(text)' is not an RFC 8693 token type", hint: "one of \(tokenTypes.joined(separator: ", "))")
        }
        return tokenTypePrefix + short
    }

    /// The client's authentication at the token endpoint, its secret read now (never kept in the config).
    func clientAuthentication(environment: [String: String]) throws -> OAuthClientAuthentication {
        switch clientAuth {
        case .none: return .none(clientId: clientId)
        case .basic: return .basic(clientId: clientId!, secret: try clientSecret(environment: environment)!)
        case .post: return .post(clientId: clientId!, secret: try clientSecret(environment: environment)!)
        }
    }

    /// The client secret, read now from where the config points.
    func clientSecret(environment: [String: String]) throws -> SecretValue? {
        if let variable = clientSecretEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw BrokerError.failure("the client secret variable \(variable) is not set")
            }
            return SecretValue(value)
        }
        if let path = clientSecretFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BrokerError.failure("cannot read the client secret file \(path)")
            }
            return SecretValue(String(decoding: data, as: UTF8.self).trimmingWhitespace)
        }
        return nil
    }
}
