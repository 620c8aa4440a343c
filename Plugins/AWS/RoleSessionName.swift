import BrokerCore
import Foundation

/// The default RoleSessionName: who the token says we are, and when, squeezed into STS's
/// alphabet (`[\w+=,.@-]`, 2-64 characters) so CloudTrail shows something meaningful.
public enum RoleSessionName {
    public static func derive(from token: IdentityToken, now: Date = Date()) -> String {
        let identity = token.subject ?? "broker"
        let stamp = String(Int(now.timeIntervalSince1970))
        let cleaned = sanitize(identity.replacingOccurrences(of: "https://", with: ""))
        let room = 64 - stamp.count - 1
        let head = String(cleaned.suffix(room))  // the end of a sub (repo, ref) says most
        let name = head.isEmpty ? "broker-\(stamp)" : "\(head)@\(stamp)"
        return name.count >= 2 ? name : "broker-\(stamp)"
    }

    static func sanitize(_ text: String) -> String {
        var result = ""
        for character in text {
            if AWSIdentifiers.isSessionNameCharacter(character) {
                result.append(character)
            } else if result.last != "-" {
                result.append("-")
            }
        }
        return result.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
