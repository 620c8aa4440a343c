import BrokerCore

/// What Entra ID verifies that broker can check first, so a token it must reject is never sent:
/// federated credentials take RS256 signatures only.
enum EntraTokenRules {
    static func check(_ token: IdentityToken) throws {
        let algorithm = token.header["alg"]?.stringValue ?? "(none)"
        guard algorithm == "RS256" else {
            throw BrokerError.usage(
                "Entra ID verifies only RS256 signatures on federated tokens; the identity token is signed with \(algorithm.prefix(20))",
                hint: "with broker's embedded issuer: run 'broker idp rotate-key --algorithm RS256', and set issuer.algorithm to RS256 "
                    + "in the config if it says ES256; with another issuer, have it sign with RS256")
        }
    }
}
