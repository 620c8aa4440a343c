import BrokerCore
import Foundation

/// A Vault/OpenBao JWT auth role checked against a token's claims offline, with the rules of
/// its login: role_type jwt, bound_audiences (and no aud without them), bound_subject,
/// bound_claims (`string` exact or `glob` with `*`, a list is any-of, a list claim matches
/// through any element, `/a/b` keys are JSON pointers), user_claim and groups_claim present.
public enum VaultRoleCheck {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// The role as `bao read -format=json auth/jwt/role/NAME` prints it (its `data`), or flat.
    public static func parse(_ data: Data) throws -> [String: JSONValue] {
        guard let document = (try? StrictJSON.parse(data))?.objectValue else {
            throw Problem(path: "(document)", message: "not a JSON object")
        }
        let role = document["data"]?.objectValue ?? document
        guard role["role_type"] != nil || role["bound_audiences"] != nil || role["user_claim"] != nil else {
            throw Problem(path: "(document)", message: "not a JWT auth role (no role_type, bound_audiences or user_claim)")
        }
        return role
    }

    public static func evaluate(role: [String: JSONValue], claims: [String: JSONValue]) -> PolicyVerdict {
        var checks: [PolicyVerdict.Check] = []
        let type = role["role_type"]?.stringValue ?? "oidc"
        checks.append(.init("role_type", passed: type == "jwt", expected: "jwt (an oidc role takes browser logins only)", seen: type))

        let audiences = strings(role["bound_audiences"])
        let tokenAudiences = strings(claims["aud"])
        if audiences.isEmpty {
            checks.append(.init("bound_audiences", passed: tokenAudiences.isEmpty, expected: "no aud in the token (the role binds none)",
                                seen: tokenAudiences.isEmpty ? "no aud" : "aud " + tokenAudiences.joined(separator: ", ")))
        } else {
            checks.append(.init("bound_audiences", passed: tokenAudiences.contains(where: audiences.contains),
                                expected: "aud one of " + audiences.joined(separator: ", "),
                                seen: tokenAudiences.isEmpty ? "no aud" : "aud " + tokenAudiences.joined(separator: ", ")))
        }
        if let subject = role["bound_subject"]?.stringValue, !subject.isEmpty {
            let seen = claims["sub"]?.stringValue
            checks.append(.init("bound_subject", passed: seen.map { $0.utf8.elementsEqual(subject.utf8) } ?? false, expected: "sub \(subject)", seen: seen.map { "sub \($0)" } ?? "no sub"))
        }
        let glob = role["bound_claims_type"]?.stringValue == "glob"
        for (key, expected) in (role["bound_claims"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let wanted = strings(expected)
            let found = claim(key, in: claims)
            let values = found.map(strings) ?? []
            // Vault compares typed values: a number or boolean claim never equals the role's strings.
            let matched = stringClaims(found).contains { value in
                wanted.contains { glob ? globMatch($0, value) : $0.utf8.elementsEqual(value.utf8) }
            }
            checks.append(.init("bound_claims.\(key)", passed: matched,
                                expected: "\(key) \(glob ? "matching" : "equal to") " + wanted.joined(separator: " or "),
                                seen: found == nil ? "no \(key) claim" : "\(key) " + values.joined(separator: ", ")))
        }
        // A JSON pointer only with user_claim_json_pointer; the value must be a string.
        let userClaim = role["user_claim"]?.stringValue ?? "sub"
        let user = role["user_claim_json_pointer"]?.boolValue == true ? claim(userClaim, in: claims) : claims[userClaim]
        checks.append(.init("user_claim", passed: user?.stringValue.map { !$0.isEmpty } ?? false,
                            expected: "a string \(userClaim) claim (names the entity)", seen: user.map { "\(userClaim) \($0.displayText)" } ?? "no \(userClaim) claim"))
        if let groups = role["groups_claim"]?.stringValue, !groups.isEmpty {
            checks.append(.init("groups_claim", passed: claim(groups, in: claims) != nil, expected: "a \(groups) claim", seen: claim(groups, in: claims) == nil ? "no \(groups) claim" : "present"))
        }
        return PolicyVerdict(checks: checks)
    }

    /// A top-level claim, or a JSON pointer (`/a/b`) into nested ones.
    static func claim(_ key: String, in claims: [String: JSONValue]) -> JSONValue? {
        guard key.hasPrefix("/") else { return claims[key] }
        var current: JSONValue = .object(claims)
        for part in key.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let name = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = current.objectValue?[name] else { return nil }
            current = next
        }
        return current
    }

    /// The claim's string values (a list claim's string elements).
    static func stringClaims(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: [text]
        case .array(let list)?: list.compactMap(\.stringValue)
        default: []
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: [text]
        case .array(let list)?: list.map { $0.stringValue ?? $0.displayText }
        case .number?, .bool?: [value!.displayText]
        default: []
        }
    }

    /// go-glob, as Vault's `glob` bound claims use it: `*` matches any run, nothing else is special.
    public static func globMatch(_ pattern: String, _ value: String) -> Bool {
        let parts = pattern.components(separatedBy: "*")
        guard parts.count > 1 else { return pattern == value }
        guard value.hasPrefix(parts.first!), value.hasSuffix(parts.last!),
              value.count >= parts.first!.count + parts.last!.count else { return false }
        var rest = Substring(value.dropFirst(parts.first!.count).dropLast(parts.last!.count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    /// The role `broker policy generate vault` prints: bound to the token's audience and subject.
    public static func template(audience: String, subject: String, policies: [String]) throws -> String {
        let glob = subject.contains("*")
        var role: [String: Any] = ["role_type": "jwt", "user_claim": "sub", "bound_audiences": [audience],
                                   "token_policies": policies, "token_ttl": "15m"]
        if glob {
            role["bound_claims_type"] = "glob"
            role["bound_claims"] = ["sub": subject]
        } else {
            role["bound_subject"] = subject
        }
        let data = try JSONSerialization.data(withJSONObject: role, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
