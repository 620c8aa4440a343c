import BrokerCore
import Foundation

/// Puts the token's own claims beside the claim Vault complained about, e.g.
/// `claim "sub" does not match ...` → the `sub` the token actually carried.
enum VaultDenialDiagnosis {
    static func explain(_ messages: [String], token: IdentityToken, role: String) -> String {
        var lines = messages.map { "  vault: \($0)" }
        var named: [String] = []
        for message in messages {
            for match in message.matches(of: /claim "([^"]+)"/) { named.append(String(match.1)) }
            let lower = message.lowercased()
            if lower.contains("audience") || lower.contains("aud claim") { named.append("aud") }
            if lower.contains("issuer") { named.append("iss") }
            if lower.contains("expired") { named.append("exp") }
            if lower.contains("subject") { named.append("sub") }
        }
        let claims = named.isEmpty ? ["iss", "sub", "aud"] : Array(NSOrderedSet(array: named)) as! [String]
        lines.append("the token sent (decoded, unverified) carried:")
        for claim in claims {
            lines.append("  \(claim): \(token.claims[claim]?.displayText ?? "(missing)")")
        }
        lines.append("role: \(role)")
        return lines.joined(separator: "\n")
    }
}
