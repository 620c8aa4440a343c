import BrokerCore
import Foundation

/// Settings of a Vault/OpenBao JWT login, validated before anything is sent.
public struct VaultSettings: Sendable {
    public var address: String
    public var mount = "jwt"
    public var role: String
    public var namespace: String?
    public var tokenFile: String
    public var timeout: TimeInterval = 10

    public static let defaultAudience = "vault"

    public init(block: SettingsBlock, context: ProviderContext) throws {
        guard let address = block.string("address") ?? context.environment["VAULT_ADDR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw block.error("address", "is required (or set VAULT_ADDR)", hint: "for example https://vault.example.com:8200")
        }
        guard let url = URL(string: address), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw block.error("address", "'\(address)' is not an http(s) URL")
        }
        self.address = address.hasSuffix("/") ? String(address.dropLast()) : address
        guard let role = block.string("role"), !role.isEmpty else { throw block.error("role", "is required", hint: "the JWT auth role to log in with") }
        self.role = role
        mount = (block.string("mount") ?? mount).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !mount.isEmpty, !mount.contains("..") else { throw block.error("mount", "'\(mount)' is not a mount path") }
        namespace = block.string("namespace") ?? context.environment["VAULT_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
        let file = block.string("tokenFile") ?? "~/.vault-token"
        tokenFile = file.hasPrefix("~/") ? context.home + file.dropFirst(1) : file
        guard tokenFile.hasPrefix("/") else { throw block.error("tokenFile", "'\(file)' must be an absolute path or start with ~/") }
        if let caCert = block.string("caCert") {  // declared so editors show it; refused below
            // FoundationNetworking on Linux pins libcurl to the system CA bundle and offers no
            // per-request trust: refuse clearly rather than pretend (checked against a TLS OpenBao).
            throw block.error("caCert", "'\(caCert)': a private CA per provider is not supported by this build yet",
                              hint: "add the CA to the system trust store (cp it to /usr/local/share/ca-certificates/ and run update-ca-certificates), then remove caCert")
        }
        timeout = try block.duration("timeout") ?? timeout
    }

    public var loginURL: URL { URL(string: "\(address)/v1/auth/\(mount)/login")! }
    public var revokeURL: URL { URL(string: "\(address)/v1/auth/token/revoke-self")! }
}
