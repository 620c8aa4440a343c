import BrokerCore
import Foundation

/// Registers `vault-jwt` (HashiCorp Vault and OpenBao JWT auth) with the core.
public enum VaultAdapter {
    public static let keys: [SettingKey] = [
        SettingKey("address", .string, pattern: SettingKey.urlPattern, help: "Vault address (default $VAULT_ADDR)"),
        SettingKey("mount", .string, help: "JWT auth mount path (default jwt)"),
        SettingKey("role", .string, required: true, help: "the JWT auth role"),
        SettingKey("namespace", .string, help: "sent as X-Vault-Namespace (default $VAULT_NAMESPACE)"),
        SettingKey("tokenFile", .string, flag: "vault-token-file", help: "where the client token goes (default ~/.vault-token)"),
        SettingKey("caCert", .string, help: "PEM file of a private CA"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "timeout of each Vault call, 1s to 10m (default 10s)"),
    ]

    public static let descriptor = AdapterDescriptor(
        adapter: "vault-jwt",
        summary: "Vault/OpenBao JWT auth; writes ~/.vault-token",
        defaultAudience: VaultSettings.defaultAudience,
        keys: keys,
        // Expanded, so `~/.vault-token` and `/home/me/.vault-token` in two entries are one file.
        target: { block, context in "the Vault token file \(HomePath.expand(block.string("tokenFile") ?? "~/.vault-token", home: context.home))" },
        make: { entry, context in
            VaultJWTProvider(settings: try VaultSettings(block: entry.settings, context: context), audience: entry.audience,
                             environment: context.environment, transport: context.transport)
        },
        logout: { record, context in try await logout(record, context: context) },
        trustConcerns: { entry, environment in
            guard let address = entry.settings.string("address"), address != environment["VAULT_ADDR"] else { return [] }
            return ["sends the token to the Vault server \(address)"]
        },
        loginCommand: "vault")

    /// Revokes the token (revoke-self), then removes the file even when revocation failed.
    static func logout(_ record: StateStore.Record, context: ProviderContext) async throws -> [String] {
        var done: [String] = []
        var revokeFailure: String?
        let vault = VaultLoginRecord(record)
        for target in record.written where target.kind == .file {
            // Revoke only broker's own token: a token the user put there since is theirs.
            if target.contentHash == nil || FileUndo.holdsWhatBrokerWrote(target), let vault,
               let token = FileManager.default.contents(atPath: target.path).map({ String(decoding: $0, as: UTF8.self) }),
               !token.isEmpty {
                let client = VaultClient(address: vault.address, namespace: vault.namespace, timeout: 10,
                                         caCert: vault.caCert, transport: context.transport)
                do {
                    try await client.revokeSelf(url: URL(string: "\(vault.address)/v1/auth/token/revoke-self")!, token: SecretValue(token))
                    done.append("revoked the Vault token" + (vault.accessor.map { " (accessor \($0))" } ?? ""))
                } catch let refusal as VaultClient.Refusal {
                    revokeFailure = "Vault refused to revoke the token (HTTP \(refusal.status)): \(refusal.messages.joined(separator: "; "))"
                } catch {
                    revokeFailure = "\(error)"
                }
            }
        }
        done += try record.undoFiles()
        if let revokeFailure {
            throw BrokerError.failure("\(revokeFailure); the token file was undone anyway (\(done.joined(separator: ", ")))")
        }
        return done
    }
}
