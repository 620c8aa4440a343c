import BrokerCore
import Foundation

/// A trust policy evaluated against a token's claims as IAM evaluates AssumeRoleWithWebIdentity:
/// an applicable Deny wins, else an applicable Allow; a token carrying session tags also needs
/// sts:TagSession. For each statement what happened, and for the deciding one the first
/// condition that failed with a one-line fix.
public struct TrustPolicyEvaluation: Sendable {
    public static let action = "sts:AssumeRoleWithWebIdentity"
    public static let tagAction = "sts:TagSession"
    public static let sourceIdentityAction = "sts:SetSourceIdentity"

    /// The condition keys of the request, as IAM builds them from the token.
    public struct Request: Sendable {
        public var claims: [String: JSONValue]
        /// The issuer without its scheme: the OIDC provider's name and the condition keys' prefix.
        public var provider: String
        /// Condition key (lowercased: IAM compares key names case-insensitively) → values.
        public var keys: [String: [String]]
        public var carriesSessionTags: Bool
        /// `https://aws.amazon.com/source_identity`: the role must also allow sts:SetSourceIdentity.
        public var carriesSourceIdentity: Bool
        public var roleArn: String?

        public init(claims: [String: JSONValue], roleArn: String?) {
            self.claims = claims
            self.roleArn = roleArn
            let issuer = claims["iss"]?.stringValue ?? ""
            // IAM names a provider after its URL as registered: an issuer ending in `/` (Auth0)
            // keeps it; keys are also accepted without it.
            let provider = issuer.replacingOccurrences(of: "https://", with: "", options: .anchored)
            self.provider = provider
            func values(_ claim: String) -> [String]? {
                switch claims[claim] {
                case .string(let text)?: [text]
                case .array(let list)?: list.compactMap(\.stringValue)
                default: nil
                }
            }
            var keys: [String: [String]] = [:]
            for prefix in Set([provider.lowercased() + ":", Self.trimmed(provider).lowercased() + ":"]) {
                for claim in ["sub", "aud", "azp", "amr"] {
                    keys[prefix + claim] = values(claim)
                }
                // Google: `aud` is the azp (the OAuth client) when both are present; `oaud` the raw aud.
                if Self.trimmed(provider) == "accounts.google.com", let azp = values("azp") {
                    keys[prefix + "oaud"] = values("aud")
                    keys[prefix + "aud"] = azp
                }
            }
            let tags = claims["https://aws.amazon.com/tags"]?.objectValue?["principal_tags"]?.objectValue ?? [:]
            for (name, value) in tags {
                keys["aws:requesttag/" + name.lowercased()] = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] }
            }
            if !tags.isEmpty { keys["aws:tagkeys"] = tags.keys.sorted() }
            carriesSessionTags = !tags.isEmpty
            carriesSourceIdentity = claims["https://aws.amazon.com/source_identity"] != nil
            self.keys = keys
        }

        static func trimmed(_ provider: String) -> String {
            var name = provider
            while name.hasSuffix("/") { name.removeLast() }
            return name
        }

        /// The identity providers IAM has built in: a trust policy names them bare
        /// (`"Federated": "accounts.google.com"`), not as an oidc-provider ARN.
        static let builtInProviders: Set = ["accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com"]

        /// What the role's trust policy must name as Federated principal: a built-in provider by
        /// name, else the OIDC provider ARN (with the role's partition and account).
        public var federatedPrincipal: String {
            if Self.builtInProviders.contains(Self.trimmed(provider).lowercased()) { return Self.trimmed(provider) }
            let parts = (roleArn ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let partition = parts.count > 4 ? parts[1] : "aws"
            let account = parts.count > 4 ? parts[4] : "ACCOUNT"
            return "arn:\(partition):iam::\(account):oidc-provider/\(provider)"
        }
    }

    public struct ConditionFailure: Sendable, Codable, Equatable {
        public var path: String
        public var `operator`: String
        public var key: String
        public var expected: [String]
        /// The request's values for the key; nil when the token has none.
        public var seen: [String]?
    }

    public struct StatementResult: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable { case allows, denies, notApplicable = "not-applicable" }
        public var path: String
        public var sid: String?
        public var effect: String
        public var outcome: Outcome
        /// Where a statement that does not apply stopped: its principal, its action, a condition.
        public enum Stage: String, Sendable, Codable { case principal, action, condition }
        /// Why it does not apply (principal, action or a condition), or what it decided.
        public var reason: String
        public var stoppedAt: Stage?
        public var failure: ConditionFailure?
    }

    public var allowed: Bool
    public var statements: [StatementResult]
    /// The statement that decided (the Deny, the Allow, or the Allow closest to applying).
    public var deciding: StatementResult?
    /// One line saying what to change (nil when allowed).
    public var fix: String?
    public var notes: [String]

    public init(policy: TrustPolicy, request: Request) {
        var notes: [String] = []
        if policy.version != "2012-10-17" {
            notes.append("Version is \(policy.version.map { "\"\($0)\"" } ?? "missing"); IAM reads policy variables only with \"2012-10-17\"")
        }
        if policy.statements.contains(where: { $0.conditions.contains { $0.values.contains { $0.contains("${") } } }) {
            notes.append("a condition value holds a policy variable (${...}); broker compares it literally, IAM substitutes it")
        }
        let results = policy.statements.map { Self.evaluate($0, action: Self.action, request: request) }
        var allowed = !results.contains { $0.outcome == .denies } && results.contains { $0.outcome == .allows }
        var deciding = results.first { $0.outcome == .denies } ?? results.first { $0.outcome == .allows } ?? Self.closest(results, policy: policy)
        var fix = deciding.flatMap { Self.fix(for: $0, request: request) }
        if allowed, request.carriesSourceIdentity {
            let setting = policy.statements.map { Self.evaluate($0, action: Self.sourceIdentityAction, request: request) }
            if setting.contains(where: { $0.outcome == .denies }) || !setting.contains(where: { $0.outcome == .allows }) {
                allowed = false
                deciding = setting.first { $0.outcome == .denies } ?? deciding
                fix = "the token carries a source identity (https://aws.amazon.com/source_identity): allow \(Self.sourceIdentityAction) beside \(Self.action) in the statement"
            }
        }
        if allowed, request.carriesSessionTags {
            let tagging = policy.statements.map { Self.evaluate($0, action: Self.tagAction, request: request) }
            if tagging.contains(where: { $0.outcome == .denies }) || !tagging.contains(where: { $0.outcome == .allows }) {
                allowed = false
                deciding = tagging.first { $0.outcome == .denies } ?? deciding
                fix = "the token carries session tags (https://aws.amazon.com/tags): allow \(Self.tagAction) beside \(Self.action) in the statement"
            } else {
                notes.append("the token carries session tags; \(Self.tagAction) is allowed")
            }
        }
        let mentioned = Set(policy.statements.flatMap { $0.conditions.map(\.key) }.compactMap(Self.providerPrefix))
        let own = Set([request.provider.lowercased(), Request.trimmed(request.provider).lowercased()])
        for other in mentioned.sorted() where !own.contains(other) {
            notes.append("conditions name keys of \(other), but this token's issuer gives keys of \(request.provider) (\(request.provider):sub, :aud)")
        }
        self.allowed = allowed
        statements = results
        self.deciding = deciding
        self.fix = allowed ? nil : fix
        self.notes = notes
    }

    static func evaluate(_ statement: TrustPolicy.Statement, action: String, request: Request) -> StatementResult {
        var result = StatementResult(path: statement.path, sid: statement.sid, effect: statement.effect.rawValue, outcome: .notApplicable,
                                     reason: "", stoppedAt: nil, failure: nil)
        let named = (statement.principals["Federated"] ?? []).contains { federated(principal: $0, request: request) } || statement.principals["*"] != nil
        guard named != statement.notPrincipal else {
            let listed = statement.principals.map { "\($0.key) \($0.value.joined(separator: ", "))" }.sorted().joined(separator: "; ")
            result.stoppedAt = .principal
            result.reason = statement.notPrincipal ? "NotPrincipal excludes the token's provider"
                : "the principal (\(listed)) is not the token's OIDC provider \(request.federatedPrincipal)"
            return result
        }
        let listsAction = statement.actions.contains { pattern in
            ConditionOperator.like(Array(pattern.lowercased().unicodeScalars), Array(action.lowercased().unicodeScalars))
        }
        guard listsAction != statement.notAction else {
            result.stoppedAt = .action
            result.reason = "\(statement.notAction ? "NotAction" : "Action") \(statement.actions.joined(separator: ", ")) does not cover \(action)"
            return result
        }
        for condition in statement.conditions {
            let seen = request.keys[condition.key.lowercased()]
            if !condition.condition.evaluate(policy: condition.values, request: seen) {
                result.failure = ConditionFailure(path: condition.path, operator: condition.condition.description, key: condition.key,
                                                  expected: condition.values, seen: seen)
                result.stoppedAt = .condition
                result.reason = "\(condition.condition) \(condition.key) does not hold"
                return result
            }
        }
        result.outcome = statement.effect == .allow ? .allows : .denies
        result.reason = statement.conditions.isEmpty ? "no conditions: any token of the provider" : "every condition holds"
        return result
    }

    /// `arn:PARTITION:iam::ACCOUNT:oidc-provider/PROVIDER`: the token's provider, and the role's
    /// partition and account when the role is known.
    static func federated(principal: String, request: Request) -> Bool {
        guard principal.hasPrefix("arn:") else {
            return Request.trimmed(principal).lowercased() == Request.trimmed(request.provider).lowercased()
        }
        let parts = principal.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("oidc-provider/") else { return false }
        guard Request.trimmed(String(parts[5].dropFirst("oidc-provider/".count))).lowercased() == Request.trimmed(request.provider).lowercased() else {
            return false
        }
        guard let role = request.roleArn else { return true }
        let roleParts = role.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        return roleParts.count > 4 && roleParts[1] == parts[1] && roleParts[4] == parts[4]
    }

    /// For an implicit deny: the Allow that came closest (a condition failed, else only the
    /// principal is wrong, else the first Allow).
    static func closest(_ results: [StatementResult], policy: TrustPolicy) -> StatementResult? {
        let allows = results.filter { $0.effect == "Allow" }
        return allows.first { $0.stoppedAt == .condition } ?? allows.first { $0.stoppedAt == .principal } ?? allows.first
    }

    static func providerPrefix(_ key: String) -> String? {
        guard let colon = key.lastIndex(of: ":"), key[..<colon].contains(".") else { return nil }
        return key[..<colon].lowercased()
    }

    static func fix(for result: StatementResult, request: Request) -> String? {
        if result.outcome == .denies {
            return "\(result.path)\(result.sid.map { " (\($0))" } ?? "") denies this token: every one of its conditions holds"
        }
        guard let failure = result.failure else {
            if result.stoppedAt == .principal {
                return "name the token's provider in Principal: {\"Federated\": \"\(request.federatedPrincipal)\"}"
            }
            return result.reason.isEmpty ? nil : result.reason
        }
        let claim = failure.key.split(separator: ":").last.map(String.init) ?? failure.key
        let expected = failure.expected.map { "`\($0)`" }.joined(separator: " or ")
        guard let seen = failure.seen, !seen.isEmpty else {
            if let prefix = providerPrefix(failure.key), prefix != request.provider.lowercased(), prefix != Request.trimmed(request.provider).lowercased() {
                return "the condition key \(failure.key) is another issuer's: this token's is \(request.provider):\(claim)"
            }
            return "the token has no \(claim); the policy expects \(failure.operator) \(expected)"
        }
        var line = "the token's \(claim) is " + seen.map { "`\($0)`" }.joined(separator: ", ") + "; the policy expects \(failure.operator) \(expected)"
        if claim == "sub", seen.contains(where: Self.isIDQualifiedGitHubSubject), !failure.expected.contains(where: { $0.contains("@") }) {
            line += " (the repository uses GitHub's ID-qualified subject OWNER@ID/REPO@ID: write that form in the policy)"
        }
        return line
    }

    /// `repo:org@123/app@456:...`, GitHub's subject once a repository opts into immutable IDs.
    static func isIDQualifiedGitHubSubject(_ subject: String) -> Bool {
        guard subject.hasPrefix("repo:"), let slash = subject.firstIndex(of: "/") else { return false }
        let owner = subject[subject.index(subject.startIndex, offsetBy: 5)..<slash]
        let repository = subject[subject.index(after: slash)...].prefix { $0 != ":" }
        return owner.contains("@") && repository.contains("@")
    }
}
