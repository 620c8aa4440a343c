import BrokerCore

/// A workload identity pool provider's full resource name,
/// `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`, and the
/// names Google derives from it (the STS audience, the principals IAM bindings name).
public struct WorkloadIdentityProviderName: Sendable, Equatable {
    public var projectNumber: String
    public var pool: String
    public var provider: String

    public static let shape = "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"

    public var resourceName: String { "\(poolName)/providers/\(provider)" }
    public var poolName: String { "projects/\(projectNumber)/locations/global/workloadIdentityPools/\(pool)" }
    /// What STS takes as `audience`, and the token's default `aud` when the provider lists no
    /// allowed audiences (Google accepts it with or without `https:`).
    public var stsAudience: String { "//iam.googleapis.com/" + resourceName }

    /// The principal one token's subject becomes: what `roles/iam.workloadIdentityUser` names.
    public func principal(subject: String) -> String {
        "principal://iam.googleapis.com/\(poolName)/subject/\(subject)"
    }

    /// Every identity whose mapped attribute has this value.
    public func principalSet(attribute: String, value: String) -> String {
        "principalSet://iam.googleapis.com/\(poolName)/attribute.\(attribute)/\(value)"
    }

    /// Accepts the bare name and the `//iam.googleapis.com/` or `https://iam.googleapis.com/`
    /// forms (what the console and gcloud print); says which part is wrong otherwise.
    public static func parse(_ text: String) throws -> WorkloadIdentityProviderName {
        var name = text.trimmingCharacters(in: .whitespaces)
        for prefix in ["//iam.googleapis.com/", "https://iam.googleapis.com/"] where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 8, parts[0] == "projects", parts[2] == "locations", parts[4] == "workloadIdentityPools", parts[6] == "providers" else {
            throw Problem("is not a workload identity provider's full resource name; expected \(shape)")
        }
        if parts[1].count > 20, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw Problem("project number '\(shown(parts[1]))' is longer than a project number can be (at most 20 digits)")
        }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Problem("names the project '\(shown(parts[1]))' by ID; Google wants its number here",
                          hint: "gcloud projects describe PROJECT_ID --format='value(projectNumber)'")
        }
        guard parts[3] == "global" else { throw Problem("location '\(shown(parts[3]))': workload identity pools live only in 'global'") }
        for (what, id) in [("pool", parts[5]), ("provider", parts[7])] where !isID(id) {
            throw Problem("\(what) ID '\(shown(id))' is not 4 to 32 lowercase letters, digits and hyphens")
        }
        return WorkloadIdentityProviderName(projectNumber: parts[1], pool: parts[5], provider: parts[7])
    }

    static func isID(_ id: String) -> Bool {
        (4...32).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            && id.first != "-" && id.last != "-"
    }

    static func shown(_ part: String) -> String { part.count > 40 ? part.prefix(12) + "…" : part }

    /// What is wrong, for the caller to name the setting it came from.
    public struct Problem: Error, Sendable {
        public var message: String
        public var hint: String?
        init(_ message: String, hint: String? = nil) {
            self.message = message
            self.hint = hint
        }
    }
}
