import BrokerCore
import Foundation

/// Settings of a Vault/OpenBao JWT login, validated before anything is sent.
public struct VaultSettings: Sendable {
    public var address: String
    public var mount = "jwt"
    public var role: String
    public var namespace: String?
    public var tokenFile: String
    /// PEM file of a private CA the Vault's certificate chains to.
    public var caCert: String?
    public var timeout: TimeInterval = 10

    public static let defaultAudience = "vault"

    public init(block: SettingsBlock, context: ProviderContext) throws {
        guard let address = block.string("address") ?? context.environment["VAULT_ADDR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw block.error("address", "is required (or set VAULT_ADDR)", hint: "for example https://vault.example.com:8200")
        }
        _ = try HTTPURL.parse(address, name: block.values["address"] == nil ? "VAULT_ADDR" : block.location("address"))
        self.address = address.hasSuffix("/") ? String(address.dropLast()) : address
        guard let role = block.string("role"), !role.isEmpty else { throw block.error("role", "is required", hint: "the JWT auth role to log in with") }
        self.role = role
        mount = (block.string("mount") ?? mount).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !mount.isEmpty, !mount.contains("..") else { throw block.error("mount", "'\(mount)' is not a mount path") }
        namespace = block.string("namespace") ?? context.environment["VAULT_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
        let file = block.string("tokenFile") ?? "~/.vault-token"
        tokenFile = HomePath.expand(file, home: context.home)
        guard tokenFile.hasPrefix("/") else { throw block.error("tokenFile", "'\(file)' must be an absolute path or start with ~/") }
        if let caCert = block.string("caCert") {
            guard FileManager.default.isReadableFile(atPath: caCert) else { throw block.error("caCert", "cannot read \(caCert)") }
            self.caCert = caCert
        }
        timeout = try block.duration(VaultAdapter.keys[named: "timeout"]) ?? timeout
    }

    public var loginURL: URL { URL(string: "\(address)/v1/auth/\(mount)/login")! }
    public var revokeURL: URL { URL(string: "\(address)/v1/auth/token/revoke-self")! }
}
