import Foundation

/// An IAM condition operator with its qualifiers, evaluated as IAM evaluates it: the string
/// operators and their negations, `...IfExists`, `Null`, and `ForAnyValue:` / `ForAllValues:`
/// for multi-valued keys. Values within one key are ORed; the caller ANDs keys and operators.
public struct ConditionOperator: Sendable, Equatable, CustomStringConvertible {
    public enum Base: String, Sendable, CaseIterable {
        case stringEquals = "StringEquals", stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase", stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike", stringNotLike = "StringNotLike"
        case null = "Null"
    }

    public enum SetQualifier: String, Sendable { case forAnyValue = "ForAnyValue", forAllValues = "ForAllValues" }

    public var base: Base
    public var qualifier: SetQualifier?
    public var ifExists: Bool

    public static let supportedSummary = "String[Not]Equals[IgnoreCase], String[Not]Like, their IfExists forms, Null, ForAnyValue:/ForAllValues:"

    public init?(_ name: String) {
        var rest = Substring(name)
        if let colon = rest.firstIndex(of: ":") {
            guard let qualifier = SetQualifier(rawValue: String(rest[..<colon])) else { return nil }
            self.qualifier = qualifier
            rest = rest[rest.index(after: colon)...]
        }
        ifExists = rest.hasSuffix("IfExists")
        if ifExists { rest = rest.dropLast("IfExists".count) }
        guard let base = Base(rawValue: String(rest)), !(base == .null && (ifExists || qualifier != nil)) else { return nil }
        self.base = base
    }

    public var description: String { (qualifier.map { $0.rawValue + ":" } ?? "") + base.rawValue + (ifExists ? "IfExists" : "") }

    /// "Not" operators: true when no policy value matches.
    public var isNegated: Bool { [.stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike].contains(base) }

    /// The condition against the request's values for its key (nil: the key is absent).
    public func evaluate(policy values: [String], request: [String]?) -> Bool {
        if base == .null {
            // "true": the key must be absent; "false": present.
            let absent = request?.isEmpty ?? true
            return values.contains { $0.lowercased() == (absent ? "true" : "false") }
        }
        guard let request, !request.isEmpty else {
            // Absent key: IfExists and ForAllValues hold; ForAnyValue fails; a negated
            // operator holds (nothing to match), a positive one fails.
            if ifExists || qualifier == .forAllValues { return true }
            if qualifier == .forAnyValue { return false }
            return isNegated
        }
        func accepts(_ value: String) -> Bool {
            let matched = values.contains { matches(policy: $0, value: value) }
            return isNegated ? !matched : matched
        }
        switch qualifier {
        case .forAllValues: return request.allSatisfy(accepts)
        // A single-valued operator on a key with several values (a list `aud`) behaves as
        // ForAnyValue for positive operators and requires every value for negated ones.
        case .forAnyValue: return request.contains(where: accepts)
        case nil: return isNegated ? request.allSatisfy(accepts) : request.contains(where: accepts)
        }
    }

    func matches(policy: String, value: String) -> Bool {
        switch base {
        // Code points, not Swift's canonical equivalence: IAM compares what was sent.
        case .stringEquals, .stringNotEquals: policy.utf8.elementsEqual(value.utf8)
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase: policy.lowercased().utf8.elementsEqual(value.lowercased().utf8)
        case .stringLike, .stringNotLike: Self.like(Array(policy.unicodeScalars), Array(value.unicodeScalars))
        case .null: false
        }
    }

    /// IAM's StringLike: `*` any run of characters (`:` and `/` included), `?` exactly one;
    /// case-sensitive. Iterative with one backtrack point, so linear in practice.
    public static func like(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0, t = 0
        var star: Int?, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] && pattern[p] != "*" {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if let starAt = star {
                p = starAt + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
