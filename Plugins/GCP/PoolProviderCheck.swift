import BrokerCore
import Foundation

/// A workload identity pool provider, as `gcloud iam workload-identity-pools providers describe
/// --format=json` prints it, checked against a token's claims offline with Google STS's rules:
/// enabled, the issuer URI exactly, an allowed audience (by default the provider's own name),
/// google.subject mapped to at most 127 bytes, and the attribute condition.
public enum PoolProviderCheck {
    public struct Provider: Sendable, Equatable {
        public var name: String?
        public var issuerURI: String
        public var allowedAudiences: [String]
        public var mapping: [String: String]
        public var condition: String?
        public var disabled: Bool
    }

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    public static func parse(_ data: Data) throws -> Provider {
        guard let object = (try? StrictJSON.parse(data))?.objectValue else { throw Problem(message: "(document): not a JSON object") }
        guard let oidc = object["oidc"]?.objectValue, let issuer = oidc["issuerUri"]?.stringValue else {
            throw Problem(message: "oidc.issuerUri: missing (not an OIDC pool provider)")
        }
        var mapping: [String: String] = [:]
        for (target, expression) in object["attributeMapping"]?.objectValue ?? [:] {
            guard let text = expression.stringValue else { throw Problem(message: "attributeMapping.\(target): expected a string") }
            mapping[target] = text
        }
        return Provider(name: object["name"]?.stringValue, issuerURI: issuer,
                        allowedAudiences: oidc["allowedAudiences"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                        mapping: mapping, condition: object["attributeCondition"]?.stringValue,
                        disabled: object["disabled"]?.boolValue == true || object["state"]?.stringValue == "DELETED")
    }

    public static func evaluate(_ provider: Provider, claims: [String: JSONValue]) -> PolicyVerdict {
        var checks: [PolicyVerdict.Check] = []
        checks.append(.init("disabled", passed: !provider.disabled, expected: "an enabled provider", seen: provider.disabled ? "disabled or deleted" : "enabled"))
        let issuer = claims["iss"]?.stringValue
        checks.append(.init("oidc.issuerUri", passed: issuer.map { $0.utf8.elementsEqual(provider.issuerURI.utf8) } ?? false, expected: provider.issuerURI, seen: issuer ?? "no iss"))
        let audiences = claims["aud"].map { $0.arrayValue?.compactMap(\.stringValue) ?? $0.stringValue.map { [$0] } ?? [] } ?? []
        var allowed = provider.allowedAudiences
        if allowed.isEmpty, let name = provider.name {
            let resource = name.replacingOccurrences(of: "//iam.googleapis.com/", with: "", options: .anchored)
            allowed = ["//iam.googleapis.com/" + resource, "https://iam.googleapis.com/" + resource]
        }
        if allowed.isEmpty {
            checks.append(.init("oidc.allowedAudiences", .notEvaluated, expected: "the provider's own name (the file has no name)", seen: audiences.joined(separator: ", ")))
        } else {
            checks.append(.init("oidc.allowedAudiences", passed: audiences.contains(where: allowed.contains),
                                expected: "one of " + allowed.joined(separator: ", "), seen: audiences.joined(separator: ", ")))
        }
        let condition = AttributeCondition(claims: claims, mapping: provider.mapping)
        if let expression = provider.mapping["google.subject"] {
            if let subject = condition.attribute("google.subject") {
                checks.append(.init("attributeMapping.google.subject", passed: subject.utf8.count <= 127,
                                    expected: "\(expression), at most 127 bytes", seen: "\(subject.utf8.count) bytes: \(subject)"))
            } else {
                checks.append(.init("attributeMapping.google.subject", .notEvaluated, expected: expression, seen: "(an expression broker does not evaluate, or a missing claim)"))
            }
        } else {
            checks.append(.init("attributeMapping.google.subject", passed: false, expected: "a mapping (usually assertion.sub)", seen: "none"))
        }
        if let text = provider.condition {
            switch condition.evaluate(text) {
            case true?: checks.append(.init("attributeCondition", passed: true, expected: text, seen: "true"))
            case false?: checks.append(.init("attributeCondition", passed: false, expected: text, seen: "false for these claims"))
            case nil: checks.append(.init("attributeCondition", .notEvaluated, expected: text, seen: "(a form broker does not evaluate)"))
            }
        }
        return PolicyVerdict(checks: checks)
    }

    /// The attribute condition `broker policy generate gcp` prints for a token's claims.
    public static func condition(claims: [String: JSONValue]) -> String {
        for claim in ["repository", "project_path", "pipeline_slug"] {
            if let value = claims[claim]?.stringValue { return "assertion.\(claim) == '\(value.replacingOccurrences(of: "'", with: ""))'" }
        }
        return "assertion.sub == '\((claims["sub"]?.stringValue ?? "").replacingOccurrences(of: "'", with: ""))'"
    }
}
