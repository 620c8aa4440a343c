import BrokerCore
import Foundation

/// What to print when Entra ID refuses the federated token: its AADSTS code explained with the
/// claims of the token that was sent (decoded, never the token) beside what the federated
/// credential, the tenant or the application must hold, and the IDs Microsoft support asks for.
enum EntraDenialDiagnosis {
    struct Explanation {
        var lines: [String]
        var hint: String?
    }

    static func explain(_ error: EntraError?, status: Int, token: IdentityToken, settings: AzureSettings, now: Date = Date()) -> BrokerError {
        let code = error?.code
        let what = code.map { "AADSTS\($0)" } ?? error?.error ?? "HTTP \(status)"
        var lines = ["Entra ID (\(settings.tokenURL.absoluteString)) refused the federated token for application \(settings.clientId): "
                     + what + (error?.error.map { " (\($0), HTTP \(status))" } ?? (code == nil ? "" : " (HTTP \(status))"))]
        if let message = error?.message { lines.append("  " + message) }
        lines += TokenClaimsReport.lines(token, required: ["iss", "sub", "aud"], optional: ["iat", "nbf"], width: 4, now: now)
        let explanation = explain(code: code, token: token, settings: settings, now: now)
        lines += explanation.lines
        let ids = [("trace ID", error?.trace_id), ("correlation ID", error?.correlation_id), ("timestamp", error?.timestamp)]
            .compactMap { name, value in value.map { "\(name) \($0)" } }
        if !ids.isEmpty { lines.append(ids.joined(separator: ", ") + " (Microsoft support asks for these)") }
        return BrokerError.failure(lines.joined(separator: "\n"), hint: explanation.hint)
    }

    static func explain(code: Int?, token: IdentityToken, settings: AzureSettings, now: Date) -> Explanation {
        switch code {
        case 700213, 70021, 700211, 700212:
            return federatedCredential(token: token, settings: settings)
        case 700024:
            return Explanation(lines: [
                "the local clock reads \(ISOTime.format(now)); Entra takes an assertion only between its nbf/iat and exp (a few minutes of skew allowed)",
            ], hint: "a token file older than its exp is stale: keep it fresh with `broker refresh` in long jobs, and check this machine's clock (NTP)")
        case 7000215:
            return Explanation(lines: [
                "Entra read the assertion as a wrong client credential for application \(settings.clientId)",
            ], hint: "check clientId is the application (client) ID that holds the federated credential, not another app's or a secret's ID")
        case 90002:
            return Explanation(lines: [
                "no tenant '\(settings.tenantId)' exists at \(settings.authorityHost)",
            ], hint: "check tenantId (its GUID or a verified domain) and authorityHost: sovereign clouds have their own (https://login.microsoftonline.us, https://login.chinacloudapi.cn)")
        case 700016:
            return Explanation(lines: [
                "no application \(settings.clientId) exists in tenant \(settings.tenantId)",
            ], hint: "use the application (client) ID from the app registration's overview, not its object ID; a new app takes a minute or two to appear")
        case 700027, 50027:
            return Explanation(lines: [
                "Entra could not validate the token: it fetches the issuer's keys from \(token.issuer.map { $0 + "/.well-known/openid-configuration" } ?? "its discovery document") over public https",
            ], hint: "the issuer must be reachable from the internet with a valid TLS certificate, and the token signed with RS256")
        case 70011, 1002012:
            return Explanation(lines: ["the scope \(settings.scope) is not one Entra grants to a client-credentials login"],
                               hint: "use one RESOURCE/.default, like \(AzureSettings.managementScope)")
        case 500011:
            return Explanation(lines: ["no resource for the scope \(settings.scope) exists in tenant \(settings.tenantId)"],
                               hint: "check scope: the resource's app ID URI or URL followed by /.default")
        default:
            return Explanation(lines: [], hint: code.map { "look up AADSTS\($0) at https://login.microsoftonline.com/error?code=\($0)" })
        }
    }

    /// No federated credential of the app matches: show the values one must hold, exactly.
    static func federatedCredential(token: IdentityToken, settings: AzureSettings) -> Explanation {
        let issuer = token.issuer ?? "(the token has no iss)"
        let subject = token.subject ?? "(the token has no sub)"
        let audiences = token.audiences.isEmpty ? ["(the token has no aud)"] : token.audiences
        var lines = ["one federated credential of application \(settings.clientId) must hold exactly (case-sensitive, no trailing slash added or removed):",
                     "  issuer    \(issuer)",
                     "  subject   \(subject)",
                     "  audiences \(audiences.joined(separator: ", "))"]
        if !issuer.hasPrefix("https://") {
            lines.append("note: Entra fetches the issuer's keys over public https; \(issuer) cannot be a federated credential's issuer")
        }
        if !token.audiences.contains(where: { $0.hasPrefix(AzureSettings.defaultAudience) }) {
            lines.append("note: Entra's federated credentials expect the audience \(AzureSettings.defaultAudience) unless set otherwise")
        }
        let parameters = ["name": "broker", "issuer": issuer, "subject": subject, "audiences": token.audiences] as [String: Any]
        let json = (try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys, .withoutEscapingSlashes])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Explanation(lines: lines, hint: "add one: az ad app federated-credential create --id \(settings.clientId) --parameters \(ShellWords.quote(json)) "
                           + "(for a managed identity: az identity federated-credential create)")
    }
}
