import Foundation

/// GitHub Actions step outputs (`$GITHUB_OUTPUT`), so later steps can read
/// `steps.<id>.outputs.identity` the way configure-aws-credentials offers `aws-account-id`.
/// Never secrets: those go to `$GITHUB_ENV`, masked.
public enum StepOutputs {
    /// identity, account (from an ARN's account field, when the identity is one) and expiration.
    public static func values(identity: String, expiration: Date?, prefix: String = "") -> [(String, String)] {
        var values = [(prefix + "identity", identity)]
        let parts = identity.split(separator: ":", omittingEmptySubsequences: false)
        if identity.hasPrefix("arn:"), parts.count > 4, parts[4].count == 12, parts[4].allSatisfy(\.isNumber) {
            values.append((prefix + "account", String(parts[4])))
        }
        if let expiration { values.append((prefix + "expiration", ISOTime.format(expiration))) }
        return values
    }

    /// Appends `name=value` lines; a run outside GitHub Actions (no `$GITHUB_OUTPUT`) writes none.
    public static func write(_ values: [(String, String)], environment: [String: String]) throws {
        guard let path = environment["GITHUB_OUTPUT"], !path.isEmpty, !values.isEmpty else { return }
        let lines = values.filter { !$0.1.contains("\n") }.map { "\($0.0)=\($0.1)\n" }.joined()
        try EnvironmentExport.append(lines, to: path, named: "$GITHUB_OUTPUT")
    }
}
