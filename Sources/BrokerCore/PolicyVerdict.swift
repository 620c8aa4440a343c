/// What a cloud's trust rules say about a token, checked offline by `broker policy check`:
/// each rule with what it expects and what the token has, and one line to fix a denial.
public struct PolicyVerdict: Sendable, Codable, Equatable {
    public struct Check: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable { case pass, fail, notEvaluated = "not-evaluated" }
        /// The rule, as the cloud names it (`bound_audiences`, `subject`, `attributeCondition`).
        public var rule: String
        public var outcome: Outcome
        public var expected: String
        public var seen: String

        public init(_ rule: String, _ outcome: Outcome, expected: String, seen: String) {
            self.rule = rule
            self.outcome = outcome
            self.expected = expected
            self.seen = seen
        }

        public init(_ rule: String, passed: Bool, expected: String, seen: String) {
            self.init(rule, passed ? .pass : .fail, expected: expected, seen: seen)
        }
    }

    public var checks: [Check]
    public var notes: [String]
    /// The first failing rule and what to change (nil when allowed).
    public var fix: String?

    public init(checks: [Check], notes: [String] = [], fix: String? = nil) {
        self.checks = checks
        self.notes = notes
        self.fix = fix ?? checks.first { $0.outcome == .fail }.map { "\($0.rule): the token has \($0.seen); the rule expects \($0.expected)" }
    }

    /// Allowed when no rule failed (a rule broker could not evaluate is reported, not guessed).
    public var allowed: Bool { !checks.contains { $0.outcome == .fail } }
}
