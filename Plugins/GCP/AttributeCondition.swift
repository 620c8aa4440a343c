import BrokerCore
import Foundation

/// The common forms of a workload identity pool provider's CEL attribute condition, evaluated
/// against a token's claims: `assertion.X == 'v'`, `!=`, `.startsWith('v')`, `.endsWith('v')`,
/// `.contains('v')`, `in ['a', 'b']`, `&&`, `||`, `!` and parentheses, over `assertion.X`,
/// `assertion['X']` and mapped `attribute.X` / `google.subject`. Anything else is reported as
/// not evaluated (nil), never guessed.
public struct AttributeCondition: Sendable {
    public enum Value: Equatable, Sendable {
        case text(String)
        case bool(Bool)
        /// CEL's error (a missing claim): it rejects unless `||`/`&&` absorb it.
        case error
    }

    let claims: [String: JSONValue]
    /// attribute name (`attribute.repository`, `google.subject`) → its value, for mappings of
    /// the form `assertion.X`.
    let attributes: [String: String]

    public init(claims: [String: JSONValue], mapping: [String: String]) {
        self.claims = claims
        var attributes: [String: String] = [:]
        for (target, expression) in mapping {
            let tokens = (try? Self.tokenize(expression)) ?? []
            var parser = Parser(tokens: tokens, claims: claims, attributes: [:])
            if case .text(let value)? = (try? parser.unary()) ?? nil, parser.atEnd { attributes[target] = value }
        }
        self.attributes = attributes
    }

    /// The mapped value of `google.subject`, `attribute.X` (nil when not evaluable).
    public func attribute(_ name: String) -> String? { attributes[name] }

    /// true / false, or nil when the condition uses something broker does not evaluate.
    public func evaluate(_ condition: String) -> Bool? {
        guard let tokens = try? Self.tokenize(condition) else { return nil }
        var parser = Parser(tokens: tokens, claims: claims, attributes: attributes)
        guard case .bool(let result)? = (try? parser.expression()) ?? nil, parser.atEnd else { return nil }
        return result
    }

    enum Token: Equatable {
        case name(String), string(String), symbol(String)
    }

    struct Unsupported: Error {}

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                tokens.append(.name(String(characters[index..<end])))
                index = end
            } else if character == "'" || character == "\"" {
                var end = index + 1
                var text = ""
                while end < characters.count, characters[end] != character {
                    if characters[end] == "\\" { throw Unsupported() }
                    text.append(characters[end])
                    end += 1
                }
                guard end < characters.count else { throw Unsupported() }
                tokens.append(.string(text))
                index = end + 1
            } else if index + 1 < characters.count, ["==", "!=", "&&", "||"].contains(String(characters[index...index + 1])) {
                tokens.append(.symbol(String(characters[index...index + 1])))
                index += 2
            } else if "!()[],.".contains(character) {
                tokens.append(.symbol(String(character)))
                index += 1
            } else {
                throw Unsupported()
            }
        }
        return tokens
    }

    /// Recursive descent over the subset, with CEL's grammar (`!` binds to a member, tighter
    /// than `==`) and its errors: a missing claim is an error value, which `||` with true and
    /// `&&` with false absorb, which `!` keeps, and which Google treats as a rejection.
    struct Parser {
        var tokens: [Token]
        var position = 0
        let claims: [String: JSONValue]
        let attributes: [String: String]

        init(tokens: [Token], claims: [String: JSONValue], attributes: [String: String]) {
            self.tokens = tokens
            self.claims = claims
            self.attributes = attributes
        }

        var atEnd: Bool { position == tokens.count }
        var next: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func take(_ symbol: String) -> Bool {
            guard next == .symbol(symbol) || next == .name(symbol) else { return false }
            position += 1
            return true
        }

        /// The whole condition: an error value rejects, as Google does.
        mutating func expression() throws -> Value? {
            switch try disjunction() {
            case .error?: return .bool(false)
            case let value: return value
            }
        }

        mutating func disjunction() throws -> Value? {
            var left = try conjunction()
            while take("||") {
                let right = try conjunction()
                left = try Self.logic(left, right, absorbing: true)
            }
            return left
        }

        mutating func conjunction() throws -> Value? {
            var left = try relation()
            while take("&&") {
                let right = try relation()
                left = try Self.logic(left, right, absorbing: false)
            }
            return left
        }

        /// CEL's commutative `||` / `&&`: `absorbing` (true for `||`, false for `&&`) wins even
        /// beside an error; otherwise an error stays an error.
        static func logic(_ left: Value?, _ right: Value?, absorbing: Bool) throws -> Value? {
            func bool(_ value: Value?) throws -> Bool? {
                switch value {
                case .bool(let flag)?: return flag
                case .error?: return nil
                default: throw Unsupported()
                }
            }
            let (a, b) = (try bool(left), try bool(right))
            if a == absorbing || b == absorbing { return .bool(absorbing) }
            guard let a, let b else { return .error }
            return .bool(absorbing ? a || b : a && b)
        }

        /// `member (== | != | in) member`, or a member alone.
        mutating func relation() throws -> Value? {
            let left = try unary()
            if take("==") || take("!=") {
                let equal = tokens[position - 1] == .symbol("==")
                let right = try unary()
                guard case .text(let b)? = right else { throw Unsupported() }
                switch left {
                case .text(let a)?: return .bool(a.utf8.elementsEqual(b.utf8) == equal)
                case .error?: return .error
                default: throw Unsupported()
                }
            }
            if take("in") {
                guard take("[") else { throw Unsupported() }
                var items: [String] = []
                repeat {
                    guard case .string(let item)? = next else { throw Unsupported() }
                    position += 1
                    items.append(item)
                } while take(",")
                guard take("]") else { throw Unsupported() }
                switch left {
                case .text(let a)?: return .bool(items.contains { $0.utf8.elementsEqual(a.utf8) })
                case .error?: return .error
                default: throw Unsupported()
                }
            }
            return left
        }

        /// `!member`, `(expression)`, or a member with an optional string method.
        mutating func unary() throws -> Value? {
            if take("!") {
                switch try unary() {
                case .bool(let value)?: return .bool(!value)
                case .error?: return .error
                default: throw Unsupported()
                }
            }
            if take("(") {
                let value = try disjunction()
                guard take(")") else { throw Unsupported() }
                return value
            }
            let value = try operand()
            guard take(".") else { return value }
            guard case .name(let method)? = next, ["startsWith", "endsWith", "contains"].contains(method) else { throw Unsupported() }
            position += 1
            guard take("("), case .string(let argument)? = next else { throw Unsupported() }
            position += 1
            guard take(")") else { throw Unsupported() }
            switch value {
            case .text(let a)?:
                switch method {
                case "startsWith": return .bool(a.utf8.starts(with: argument.utf8))
                case "endsWith": return .bool(a.utf8.reversed().starts(with: argument.utf8.reversed()))
                default: return .bool(argument.isEmpty || a.range(of: argument, options: .literal) != nil)
                }
            case .error?: return .error
            default: throw Unsupported()
            }
        }

        /// A string literal, `assertion.X` / `assertion['X']` (an error value when the claim is
        /// missing), a mapped `attribute.X` / `google.subject`, or `true`/`false`.
        mutating func operand() throws -> Value? {
            switch next {
            case .string(let text)?:
                position += 1
                return .text(text)
            case .name("true")?, .name("false")?:
                defer { position += 1 }
                return .bool(next == .name("true"))
            case .name(let root)? where ["assertion", "attribute", "google"].contains(root):
                position += 1
                var name: String
                if take("[") {
                    guard case .string(let key)? = next else { throw Unsupported() }
                    position += 1
                    guard take("]") else { throw Unsupported() }
                    name = key
                } else {
                    guard take("."), case .name(let key)? = next else { throw Unsupported() }
                    position += 1
                    name = key
                }
                if root == "assertion" {
                    switch claims[name] {
                    case .string(let text)?: return .text(text)
                    case .bool(let flag)?: return .bool(flag)
                    case nil: return .error
                    // Numbers, lists, maps: CEL types this subset does not model.
                    default: throw Unsupported()
                    }
                }
                guard let value = attributes["\(root).\(name)"] else { throw Unsupported() }
                return .text(value)
            default:
                throw Unsupported()
            }
        }
    }
}
