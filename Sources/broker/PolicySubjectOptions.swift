import ArgumentParser
import BrokerCore
import Foundation

/// What every `broker policy generate` trusts: an issuer (`--issuer`) and a subject, each by
/// default the token's a login would send, so the cloud side is set up from broker's own view.
struct PolicySubjectOptions: ParsableArguments {
    @Option(help: "The subject to trust (a pattern where the cloud takes one); default: the token's own sub.")
    var subject: String?

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    struct Resolved {
        var issuer: String
        var subject: String
        /// The token's claims when one was fetched (empty when flags gave everything).
        var claims: [String: JSONValue]
    }

    /// `--issuer` and `--subject`, else the token for `audience`; `needsClaims` fetches it anyway.
    /// Vault/OpenBao also trust an `http://` issuer (`httpsOnly: false`); the clouds do not.
    func resolve(audience: String, needsClaims: Bool = false, httpsOnly: Bool = true) async throws -> Resolved {
        var issuer = source.issuerURL, subject = self.subject
        var claims: [String: JSONValue] = [:]
        if issuer == nil || subject == nil || needsClaims {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            claims = try await source.makeSource(runtime: runtime).quietSource.token(audience: audience).claims
            issuer = issuer ?? claims["iss"]?.stringValue
            subject = subject ?? claims["sub"]?.stringValue
        }
        guard let issuer, issuer.hasPrefix("https://") || !httpsOnly && issuer.hasPrefix("http://") else {
            throw BrokerError.usage("--issuer: '\(issuer?.prefix(120) ?? "")' is not an https URL: clouds fetch an issuer's keys over https only",
                                    hint: "publish the embedded issuer's keys at an https URL ('broker idp publish site') and pass it")
        }
        guard let subject, !subject.isEmpty, subject != "*" else {
            throw BrokerError.usage("--subject must name the subjects to trust; '*' would let every token of the issuer in")
        }
        return Resolved(issuer: issuer, subject: subject, claims: claims)
    }
}
