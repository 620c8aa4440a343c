import Foundation

/// How an OAuth 2.0 client proves who it is at a token endpoint (RFC 6749 §2.3.1): not at all
/// (a public client, optionally naming its `client_id`), HTTP Basic, in the form body, or with
/// a signed JWT as its assertion (RFC 7523 §2.2; Entra ID's federated credentials).
public enum OAuthClientAuthentication: Sendable {
    case none(clientId: String?)
    case basic(clientId: String, secret: SecretValue)
    case post(clientId: String, secret: SecretValue)
    case assertion(clientId: String, jwt: SecretValue)

    /// RFC 7523 §2.2's `client_assertion_type`.
    public static let jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Adds the client's credentials to a form request.
    public func apply(to request: inout HTTPRequest, fields: inout [(String, String)]) {
        switch self {
        case .none(let clientId):
            if let clientId { fields.append(("client_id", clientId)) }
        case .post(let clientId, let secret):
            fields += [("client_id", clientId), ("client_secret", secret.reveal)]
        case .assertion(let clientId, let jwt):
            fields += [("client_id", clientId), ("client_assertion_type", Self.jwtBearerAssertionType), ("client_assertion", jwt.reveal)]
        case .basic(let clientId, let secret):
            // RFC 6749 §2.3.1: form-encode id and secret, then base64 them for Basic.
            let pair = "\(FormEncoding.encode(clientId)):\(FormEncoding.encode(secret.reveal))"
            request.setHeader("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())
        }
    }
}
