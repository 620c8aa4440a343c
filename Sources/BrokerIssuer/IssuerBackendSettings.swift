import BrokerCore
import Foundation

/// Where a fleet's issuer keeps its keys and request tokens: `issuer.keys` and
/// `issuer.requestTokens` of the config. The default, `file`, is one machine's
/// `$BROKER_HOME/issuer`; `transit` and `kv` are OpenBao (or Vault), shared by every replica.
public struct IssuerBackendSettings: Sendable {
    public enum Keys: Sendable {
        case file
        case transit(OpenBaoConnection, mount: String, key: String)
    }

    public enum RequestTokens: Sendable {
        case file
        case kv(OpenBaoConnection, mount: String, path: String)
    }

    public var keys: Keys = .file
    public var requestTokens: RequestTokens = .file
    /// How often a replica re-reads the keys and request tokens it caches from OpenBao: a
    /// rotation or a revocation reaches every replica within this.
    public var refresh: TimeInterval = 5

    public init() {}

    /// Reads both blocks; the request-token block takes any connection setting it lacks from the
    /// keys block, so one OpenBao is named once.
    public static func resolve(_ issuer: SettingsBlock, environment: [String: String]) throws -> IssuerBackendSettings {
        var settings = IssuerBackendSettings()
        let keys = try block(issuer, "keys", BrokerConfig.issuerKeysBackendKeys)
        if let refresh = try keys.duration(BrokerConfig.issuerKeysBackendKeys[named: "refresh"]) { settings.refresh = refresh }
        if keys.string("backend") == "transit" {
            settings.keys = .transit(try OpenBaoConnection(keys, environment: environment),
                                     mount: try segment(keys, "mount") ?? "transit", key: try segment(keys, "key") ?? "broker-issuer")
        }
        let tokens = try block(issuer, "requestTokens", BrokerConfig.issuerRequestTokensKeys)
        if tokens.string("backend") == "kv" {
            var merged = tokens
            for key in BrokerConfig.openBaoConnectionKeys.map(\.name) where merged.values[key] == nil { merged.values[key] = keys.values[key] }
            settings.requestTokens = .kv(try OpenBaoConnection(merged, environment: environment),
                                         mount: try segment(tokens, "mount") ?? "secret", path: try path(tokens) ?? "broker/request-tokens")
        }
        return settings
    }

    private static func block(_ issuer: SettingsBlock, _ name: String, _ keys: [SettingKey]) throws -> SettingsBlock {
        guard let value = issuer.values[name] else { return SettingsBlock([:], path: "\(issuer.path).\(name)", file: issuer.file) }
        guard let members = value.objectValue else {
            throw issuer.error(name, "must be an object", hint: "for example {\"backend\": \"transit\", \"address\": \"https://bao:8200\"}")
        }
        let block = SettingsBlock(members, path: "\(issuer.path).\(name)", file: issuer.file)
        try block.check(against: keys)
        return block
    }

    /// A mount or key name: one path segment of an OpenBao URL.
    static func segment(_ block: SettingsBlock, _ key: String) throws -> String? {
        guard let value = block.string(key) else { return nil }
        guard isSegment(value) else {
            throw block.error(key, "'\(value)' is not a mount or key name", hint: "use letters, digits, '-', '_' and '.'")
        }
        return value
    }

    /// A secret path: segments joined by `/`.
    static func path(_ block: SettingsBlock) throws -> String? {
        guard let value = block.string("path") else { return nil }
        guard value.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ isSegment(String($0)) }) else {
            throw block.error("path", "'\(value)' is not a secret path", hint: "segments of letters, digits, '-', '_' and '.' joined by '/'")
        }
        return value
    }

    static func isSegment(_ text: String) -> Bool {
        !text.isEmpty && text != "." && text != ".." && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

/// How broker reaches OpenBao: the address, namespace and CA, and where its token is read from
/// (a file or a variable, read again on every call; never a flag, never a config value).
public struct OpenBaoConnection: Sendable {
    public var address: String
    public var namespace: String?
    public var caCert: String?
    public var tokenFile: String?
    public var tokenEnv: String?
    public var timeout: TimeInterval = 5
    let environment: [String: String]

    init(_ block: SettingsBlock, environment: [String: String]) throws {
        self.environment = environment
        guard let address = block.string("address") ?? environment["VAULT_ADDR"].flatMap({ $0.isEmpty ? nil : $0 })
            ?? environment["BAO_ADDR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw BrokerError.usage("\(block.location("address")): OpenBao's address is missing", hint: "set it, or VAULT_ADDR")
        }
        _ = try HTTPURL.parse(address, name: block.location("address"))
        var trimmed = address
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.address = trimmed
        // An empty value would fail only at the first call, far from the config: refused here.
        for key in ["namespace", "caCert", "tokenFile", "tokenEnv"] where block.string(key)?.trimmingCharacters(in: .whitespaces).isEmpty == true {
            throw block.error(key, "is empty", hint: "remove it, or give a value")
        }
        namespace = block.string("namespace")
        caCert = block.string("caCert")
        tokenFile = block.string("tokenFile")
        tokenEnv = block.string("tokenEnv")
        if let timeout = try block.duration("timeout", range: 1 ... 60) { self.timeout = timeout }
        guard (tokenFile == nil) != (tokenEnv == nil) else {
            throw BrokerError.usage("\(block.path): name exactly one of tokenFile and tokenEnv (how broker gets its OpenBao token)",
                                    hint: "a file a Vault/OpenBao agent keeps fresh, or a variable such as VAULT_TOKEN; never the token itself")
        }
    }

    /// The token for one call; a missing or empty one is a usage error naming where it was looked for.
    func token() throws -> SecretValue {
        if let tokenEnv {
            guard let value = environment[tokenEnv]?.trimmingWhitespace, !value.isEmpty else {
                throw BrokerError.usage("the OpenBao token variable \(tokenEnv) is not set", hint: "export it, or use tokenFile")
            }
            return SecretValue(value)
        }
        let path = tokenFile!
        guard let data = FileManager.default.contents(atPath: path),
              case let value = String(decoding: data, as: UTF8.self).trimmingWhitespace, !value.isEmpty else {
            throw BrokerError.usage("cannot read the OpenBao token from \(path)", hint: "check the file exists, is readable and not empty")
        }
        return SecretValue(value)
    }
}
