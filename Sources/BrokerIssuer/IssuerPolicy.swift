import Foundation

/// The OpenBao (or Vault) policies a fleet's issuer needs, printed by `broker idp init-transit`:
/// what every replica needs to mint, and what an operator needs to create and rotate the key and
/// manage request tokens.
public enum IssuerPolicy {
    public static func hcl(_ backends: IssuerBackendSettings) -> String {
        var replica: [String] = [], operator_: [String] = []
        if case .transit(_, let mount, let key) = backends.keys {
            replica += [path("\(mount)/keys/\(key)", ["read"]), path("\(mount)/sign/\(key)/sha2-256", ["update"])]
            operator_ += [path("\(mount)/keys/\(key)", ["read", "create", "update"])]
                + ["rotate", "config", "trim"].map { path("\(mount)/keys/\(key)/\($0)", ["update"]) }
        }
        if case .kv(_, let mount, let secret) = backends.requestTokens {
            replica.append(path("\(mount)/data/\(secret)", ["read"]))
            operator_.append(path("\(mount)/data/\(secret)", ["read", "create", "update"]))
        }
        return """
            # broker-issuer-replica: every 'broker idp serve' replica (and 'broker idp token' with this config)
            \(replica.joined(separator: "\n"))

            # broker-issuer-admin: 'broker idp init-transit', 'idp rotate-key', 'idp request-token create|revoke'
            \(operator_.joined(separator: "\n"))

            """
    }

    static func path(_ path: String, _ capabilities: [String]) -> String {
        "path \"\(path)\" {\n  capabilities = [\(capabilities.map { "\"\($0)\"" }.joined(separator: ", "))]\n}"
    }
}
