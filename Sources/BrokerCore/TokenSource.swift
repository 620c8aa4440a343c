import Foundation

/// Where identity tokens come from: the embedded issuer, a CI platform, a file, a variable
/// or a command. A source is asked once per distinct audience.
public protocol TokenSource: Sendable {
    /// Names the source for `--verbose` and error messages (never the token).
    var name: String { get }
    func token(audience: String) async throws -> IdentityToken
}

extension TokenSource {
    /// A token fit to send for `audience`: one whose `aud` does not name the audience, or that
    /// has already expired, is reported here, before any network call, pointing at the token
    /// source (the cloud would only say "access denied").
    public func checkedToken(audience: String, now: Date = Date()) async throws -> IdentityToken {
        let token = try await token(audience: audience)
        try token.check(audience: audience, from: name, now: now)
        return token
    }
}

extension IdentityToken {
    public func check(audience: String, from source: String, now: Date = Date()) throws {
        guard audiences.contains(audience) else {
            let has = audiences.isEmpty ? "no aud claim" : "aud " + audiences.map { "'\($0)'" }.joined(separator: ", ")
            throw BrokerError.usage("the identity token from \(source) has \(has), not '\(audience)' that the login needs",
                                    hint: "ask the token source for that audience: broker passes it to CI token services and the embedded issuer; "
                                        + "a GitLab id_tokens entry needs `aud: \(audience)`; a token file or variable must be minted for it "
                                        + "(or set the provider's `audience` / --audience to the token's)")
        }
        if let expiresAt, expiresAt <= now {
            // `exp` is outside input: any number, so the age is said as a duration (never a trap).
            throw BrokerError.usage("the identity token from \(source) expired at \(ISOTime.format(expiresAt)) (\(DurationText.format(now.timeIntervalSince(expiresAt))) ago)",
                                    hint: "the token source must hand out a fresh token: a token file must be rewritten by whatever projects it "
                                        + "(kubelet rotates projected tokens), a variable re-exported, a CI token requested anew")
        }
    }
}
