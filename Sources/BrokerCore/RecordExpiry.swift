import Foundation

extension StateStore.Record {
    /// When what this login left really stops working: the session (or, when `refreshed` is
    /// given, the later session a self-refreshing helper obtained since), but never after the
    /// token file the SDKs exchange themselves expires (GitHub's ID tokens live minutes).
    public func realExpiration(refreshed: Date? = nil) -> Date? {
        var end = expiration
        if let refreshed { end = max(end ?? refreshed, refreshed) }
        if let tokenExpiry = tokenFileExpiration { end = min(end ?? tokenExpiry, tokenExpiry) }
        return end
    }

    /// The `exp` of the token in the login's web-identity token file, if it has one.
    public var tokenFileExpiration: Date? { tokenFileToken?.expiresAt }

    /// The token (decoded, unverified) in the login's web-identity token file, if it has one.
    public var tokenFileToken: IdentityToken? {
        guard let file = refresh?.tokenFile, let data = FileManager.default.contents(atPath: file) else { return nil }
        return try? IdentityToken(jwt: String(decoding: data, as: UTF8.self).trimmingWhitespace)
    }
}
