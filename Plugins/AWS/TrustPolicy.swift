import BrokerCore
import Foundation

/// An IAM role trust policy as IAM reads it: statements of Effect, Principal, Action and
/// Condition. Parsed strictly, each problem named by its JSON path (`Statement[1].Condition`).
public struct TrustPolicy: Sendable, Equatable {
    public struct Statement: Sendable, Equatable {
        public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }
        public var sid: String?
        public var effect: Effect
        /// `Principal` by type (`Federated`, `AWS`, `Service`); `["*": ["*"]]` for `"*"`.
        public var principals: [String: [String]]
        /// `NotPrincipal` instead: the statement applies to everyone but these.
        public var notPrincipal: Bool
        public var actions: [String]
        /// `NotAction` instead of `Action`.
        public var notAction: Bool
        public var conditions: [Condition]
        /// Where it is in the file (`Statement[0]`).
        public var path: String
    }

    /// One operator-key pair of a Condition block: `"StringLike": {"KEY": ["v1", "v2"]}`.
    public struct Condition: Sendable, Equatable {
        public var condition: ConditionOperator
        public var key: String
        public var values: [String]
        public var path: String
    }

    public var version: String?
    public var statements: [Statement]

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public static func parse(_ data: Data) throws -> TrustPolicy {
        let document: JSONValue
        do {
            document = try StrictJSON.parse(data)
        } catch let failure as StrictJSON.Failure {
            throw Problem(path: "(document)", message: "not valid JSON: \(failure)")
        }
        guard let top = document.objectValue else { throw Problem(path: "(document)", message: "expected a JSON object with a Statement") }
        if let unknown = top.keys.sorted().first(where: { !["Version", "Id", "Statement"].contains($0) }) {
            throw Problem(path: unknown, message: "is not a policy element (Version, Id, Statement)")
        }
        let version = top["Version"]?.stringValue
        if top["Version"] != nil, version == nil { throw Problem(path: "Version", message: "expected a string like \"2012-10-17\"") }
        let statements: [JSONValue]
        switch top["Statement"] {
        case .array(let list)?: statements = list
        case .object?: statements = [top["Statement"]!]
        case nil: throw Problem(path: "Statement", message: "is missing: a trust policy holds at least one statement")
        default: throw Problem(path: "Statement", message: "expected an object or an array of objects")
        }
        guard !statements.isEmpty else { throw Problem(path: "Statement", message: "is empty") }
        return TrustPolicy(version: version, statements: try statements.enumerated().map { try statement($1, path: "Statement[\($0)]") })
    }

    static let statementElements: Set = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition", "Resource", "NotResource"]

    static func statement(_ value: JSONValue, path: String) throws -> Statement {
        guard let element = value.objectValue else { throw Problem(path: path, message: "expected an object") }
        if let unknown = element.keys.sorted().first(where: { !statementElements.contains($0) }) {
            throw Problem(path: "\(path).\(unknown)", message: "is not a statement element (Sid, Effect, Principal, Action, Condition)")
        }
        if element["Resource"] != nil || element["NotResource"] != nil {
            throw Problem(path: "\(path).Resource", message: "a trust policy names no Resource (this looks like a permissions policy)")
        }
        guard let effectText = element["Effect"]?.stringValue, let effect = Statement.Effect(rawValue: effectText) else {
            throw Problem(path: "\(path).Effect", message: "expected \"Allow\" or \"Deny\"")
        }
        guard (element["Principal"] == nil) != (element["NotPrincipal"] == nil) else {
            throw Problem(path: "\(path).Principal", message: "a trust policy statement names exactly one of Principal or NotPrincipal")
        }
        guard (element["Action"] == nil) != (element["NotAction"] == nil) else {
            throw Problem(path: "\(path).Action", message: "a statement names exactly one of Action or NotAction")
        }
        let principalKey = element["Principal"] != nil ? "Principal" : "NotPrincipal"
        let actionKey = element["Action"] != nil ? "Action" : "NotAction"
        let sid = element["Sid"]
        if sid != nil, sid?.stringValue == nil { throw Problem(path: "\(path).Sid", message: "expected a string") }
        return Statement(sid: sid?.stringValue, effect: effect,
                         principals: try principals(element[principalKey]!, path: "\(path).\(principalKey)"),
                         notPrincipal: principalKey == "NotPrincipal",
                         actions: try strings(element[actionKey]!, path: "\(path).\(actionKey)"), notAction: actionKey == "NotAction",
                         conditions: try element["Condition"].map { try conditions($0, path: "\(path).Condition") } ?? [], path: path)
    }

    static func principals(_ value: JSONValue, path: String) throws -> [String: [String]] {
        if value.stringValue == "*" { return ["*": ["*"]] }
        guard let object = value.objectValue, !object.isEmpty else {
            throw Problem(path: path, message: "expected \"*\" or an object like {\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/HOST\"}")
        }
        return try object.reduce(into: [:]) { result, entry in
            result[entry.key] = try strings(entry.value, path: "\(path).\(entry.key)")
        }
    }

    static func conditions(_ value: JSONValue, path: String) throws -> [Condition] {
        guard let block = value.objectValue else { throw Problem(path: path, message: "expected an object of operators") }
        var all: [Condition] = []
        // Sorted: a JSON object has no order, and the first failing condition must be the same every run.
        for (name, keys) in block.sorted(by: { $0.key < $1.key }) {
            let operatorPath = "\(path).\(name)"
            guard let condition = ConditionOperator(name) else {
                throw Problem(path: operatorPath, message: "is not a condition operator broker evaluates (\(ConditionOperator.supportedSummary))")
            }
            guard let keyValues = keys.objectValue, !keyValues.isEmpty else {
                throw Problem(path: operatorPath, message: "expected an object of condition keys and values")
            }
            for (key, values) in keyValues.sorted(by: { $0.key < $1.key }) {
                let list = try strings(values, path: "\(operatorPath).\(key)", scalarsAllowed: true)
                all.append(Condition(condition: condition, key: key, values: list, path: "\(operatorPath).\(key)"))
            }
        }
        return all
    }

    /// A string or an array of strings (condition values may also be numbers or booleans).
    static func strings(_ value: JSONValue, path: String, scalarsAllowed: Bool = false) throws -> [String] {
        func scalar(_ item: JSONValue) -> String? {
            switch item {
            case .string(let text): text
            case .bool(let flag) where scalarsAllowed: flag ? "true" : "false"
            case .number(let number) where scalarsAllowed: number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            default: nil
            }
        }
        if let one = scalar(value) { return [one] }
        guard let list = value.arrayValue, !list.isEmpty else { throw Problem(path: path, message: "expected a string or a non-empty array of strings") }
        return try list.enumerated().map { index, item in
            guard let text = scalar(item) else { throw Problem(path: "\(path)[\(index)]", message: "expected a string") }
            return text
        }
    }
}
