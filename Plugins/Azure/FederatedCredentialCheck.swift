import BrokerCore
import Foundation

/// Entra federated credentials checked against a token's claims offline, with Entra's rule:
/// issuer, subject and one audience match exactly and case-sensitively. The input is what
/// `az ad app federated-credential show` (one) or `list` (an array) prints.
public enum FederatedCredentialCheck {
    public struct Credential: Sendable, Equatable {
        public var name: String
        public var issuer: String
        public var subject: String?
        public var audiences: [String]
        /// A flexible credential's `claimsMatchingExpression` (not evaluated).
        public var expression: String?
    }

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    public static func parse(_ data: Data) throws -> [Credential] {
        guard let document = try? StrictJSON.parse(data) else { throw Problem(message: "(document): not valid JSON") }
        let items = document.arrayValue ?? [document]
        return try items.enumerated().map { index, item in
            let path = document.arrayValue == nil ? "(document)" : "[\(index)]"
            guard let object = item.objectValue, let issuer = object["issuer"]?.stringValue else {
                throw Problem(message: "\(path): not a federated credential (it has no issuer)")
            }
            guard let audiences = object["audiences"]?.arrayValue?.compactMap(\.stringValue), !audiences.isEmpty else {
                throw Problem(message: "\(path).audiences: expected a non-empty array of strings")
            }
            let expression = object["claimsMatchingExpression"]?.objectValue?["value"]?.stringValue
            guard object["subject"]?.stringValue != nil || expression != nil else {
                throw Problem(message: "\(path).subject: expected a string (or a claimsMatchingExpression)")
            }
            return Credential(name: object["name"]?.stringValue ?? path, issuer: issuer, subject: object["subject"]?.stringValue,
                              audiences: audiences, expression: expression)
        }
    }

    /// Allowed when one credential matches; the verdict shows the closest one's rules.
    public static func evaluate(_ credentials: [Credential], claims: [String: JSONValue]) -> PolicyVerdict {
        let verdicts = credentials.map { evaluate($0, claims: claims) }
        if let match = verdicts.first(where: \.allowed) { return match }
        // The credential that failed the fewest rules is the one the user meant.
        return verdicts.min { $0.checks.filter { $0.outcome == .fail }.count < $1.checks.filter { $0.outcome == .fail }.count }
            ?? PolicyVerdict(checks: [], fix: "no federated credential given")
    }

    static func evaluate(_ credential: Credential, claims: [String: JSONValue]) -> PolicyVerdict {
        let issuer = claims["iss"]?.stringValue
        let subject = claims["sub"]?.stringValue
        let audiences = claims["aud"].map { $0.arrayValue?.compactMap(\.stringValue) ?? $0.stringValue.map { [$0] } ?? [] } ?? []
        // Entra compares exactly: code points, not Swift's canonical equivalence.
        func same(_ a: String?, _ b: String) -> Bool { a.map { $0.utf8.elementsEqual(b.utf8) } ?? false }
        var checks = [PolicyVerdict.Check("\(credential.name).issuer", passed: same(issuer, credential.issuer), expected: credential.issuer,
                                          seen: issuer ?? "no iss")]
        if let expected = credential.subject {
            checks.append(.init("\(credential.name).subject", passed: same(subject, expected), expected: expected, seen: subject ?? "no sub"))
        } else if let expression = credential.expression {
            checks.append(.init("\(credential.name).claimsMatchingExpression", .notEvaluated, expected: expression, seen: subject ?? "no sub"))
        }
        checks.append(.init("\(credential.name).audiences", passed: audiences.contains { audience in credential.audiences.contains { same(audience, $0) } },
                            expected: "one of " + credential.audiences.joined(separator: ", "), seen: audiences.joined(separator: ", ")))
        var notes: [String] = []
        if let issuer, issuer != credential.issuer, issuer.lowercased().trimmingCharacters(in: ["/"]) == credential.issuer.lowercased().trimmingCharacters(in: ["/"]) {
            notes.append("the issuers differ only in case or a trailing slash: Entra compares them exactly")
        }
        if let subject, let expected = credential.subject, subject != expected, subject.lowercased() == expected.lowercased() {
            notes.append("the subjects differ only in case: Entra compares them exactly")
        }
        return PolicyVerdict(checks: checks, notes: notes)
    }

    /// The federated credential `broker policy generate azure` prints, for
    /// `az ad app federated-credential create --id APP --parameters @file`.
    public static func template(name: String, issuer: String, subject: String, audience: String) throws -> String {
        let credential: [String: Any] = ["name": name, "issuer": issuer, "subject": subject, "audiences": [audience],
                                         "description": "created from broker policy generate azure"]
        let data = try JSONSerialization.data(withJSONObject: credential, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
