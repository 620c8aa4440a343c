import Foundation

/// A token a CI platform puts in an environment variable, with its audience fixed in the
/// pipeline's own file (GitLab's `id_tokens`, Bitbucket's `oidc: true`, CircleCI's
/// `CIRCLE_OIDC_TOKEN_V2`): read, checked to be a JWT, and checked to carry the audience asked
/// for, so a mismatch is reported here rather than left for the cloud to reject.
enum PlatformVariableToken {
    struct Hints {
        var missing: String
        var notJWT: String
        var audience: String
    }

    static func read(_ variable: String, environment: [String: String], audience: String, platform: String, hints: Hints) throws -> IdentityToken {
        guard let value = environment[variable]?.trimmingWhitespace, !value.isEmpty else {
            throw BrokerError.usage("\(platform): the environment variable \(variable) is not set or empty", hint: hints.missing)
        }
        guard let token = try? IdentityToken(jwt: value) else {
            throw BrokerError.usage("\(platform): \(variable) does not hold a JWT", hint: hints.notJWT)
        }
        guard token.audiences.contains(audience) else {
            let found = token.audiences.isEmpty ? "no audience" : "audience " + token.audiences.map { "'\($0)'" }.joined(separator: ", ")
            throw BrokerError.usage("\(platform): the token in \(variable) has \(found), but '\(audience)' was requested", hint: hints.audience)
        }
        return token
    }
}
