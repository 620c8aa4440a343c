import BrokerCore
import Foundation

/// The default RoleSessionName: who the token says we are, and which run, squeezed into STS's
/// alphabet (`[\w+=,.@-]`, 2-64 characters) so CloudTrail shows something meaningful. The
/// repository (GitHub's `repository`, GitLab's `project_path`, else the `sub`) is kept from
/// its start, `org-repo`; the CI run (`GITHUB_RUN_ID`, `CI_JOB_ID`, `BUILDKITE_BUILD_NUMBER`)
/// follows, else the time.
public enum RoleSessionName {
    static let runVariables = ["GITHUB_RUN_ID", "CI_JOB_ID", "BUILDKITE_BUILD_NUMBER"]

    public static func derive(from token: IdentityToken, environment: [String: String] = [:], now: Date = Date()) -> String {
        let identity = token.claims["repository"]?.stringValue ?? token.claims["project_path"]?.stringValue ?? token.subject ?? "broker"
        let run = runVariables.lazy.compactMap { environment[$0] }.map(sanitize).first { !$0.isEmpty }
        let suffix = String((run ?? String(Int(now.timeIntervalSince1970))).prefix(24))
        let cleaned = sanitize(identity.replacingOccurrences(of: "https://", with: ""))
        let head = String(cleaned.prefix(64 - suffix.count - 1)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let name = head.isEmpty ? "broker-\(suffix)" : "\(head)@\(suffix)"
        return name.count >= 2 ? name : "broker-\(suffix)"
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
