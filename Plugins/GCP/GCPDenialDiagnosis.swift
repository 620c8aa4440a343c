import BrokerCore
import Foundation

/// What to print when Google STS or IAM Credentials says no: the claims of the token that was
/// sent (decoded, never the token), beside what the pool provider's issuer, audiences,
/// attribute mapping and condition, or the service account's binding, must allow.
enum GCPDenialDiagnosis {
    /// Claims CI platforms send that attribute mappings and conditions usually name.
    static let mappedClaims = ["repository", "repository_owner", "ref", "environment", "workflow_ref", "job_workflow_ref",
                               "project_path", "namespace_path", "ref_type", "organization_slug", "pipeline_slug"]

    static func claims(_ token: IdentityToken, now: Date) -> [String] {
        TokenClaimsReport.lines(token, required: ["iss", "sub", "aud"], optional: mappedClaims, width: 16, now: now)
    }

    /// After an STS refusal (`invalid_grant`, `invalid_target`, ...).
    static func exchange(_ description: String, token: IdentityToken, provider: WorkloadIdentityProviderName, now: Date = Date()) -> String {
        var lines = claims(token, now: now)
        let lowered = description.lowercased()
        lines.append("the pool provider \(provider.resourceName) must:")
        lines.append("  have the issuer URI \(token.issuer ?? "(the token has no iss)") (and fetch its keys from \(token.issuer.map { $0 + "/.well-known/openid-configuration" } ?? "its discovery document"))")
        let defaults = [provider.stsAudience, "https:" + provider.stsAudience]
        if token.audiences.contains(where: defaults.contains) {
            lines.append("  accept the audience \(token.audiences.first { defaults.contains($0) }!): list no allowed audiences (this is the default), or list it")
        } else {
            lines.append("  list one of the token's audiences (\(token.audiences.joined(separator: ", "))) in its allowed audiences")
        }
        lines.append("  map google.subject from a claim the token has (usually assertion.sub = \(token.subject ?? "(missing)")), at most 127 bytes")
        lines.append("  pass its attribute condition with the claims above")
        if lowered.contains("audience") && lowered.contains("target") || lowered.contains("invalid_target") || lowered.contains("does not exist") {
            lines.append("Google could not find or use that provider: check the project number, pool and provider IDs, and that neither is disabled")
        } else if lowered.contains("attribute condition") {
            lines.append("the attribute condition rejected the token: compare it with the claims above")
        } else if lowered.contains("signature") || lowered.contains("jwks") || lowered.contains("key") {
            lines.append("Google could not verify the signature: the issuer must serve its JWKS over https from a public address, or the provider must hold the JWKS itself")
        }
        return lines.joined(separator: "\n")
    }

    /// After IAM Credentials refused to impersonate the service account.
    static func impersonation(token: IdentityToken, provider: WorkloadIdentityProviderName, serviceAccount: String, now: Date = Date()) -> String {
        var lines = claims(token, now: now)
        lines.append("the service account \(serviceAccount) must grant roles/iam.workloadIdentityUser to this identity, for example:")
        lines.append("  \(provider.principal(subject: token.subject ?? "SUBJECT"))")
        for attribute in ["repository", "repository_owner", "project_path"] {
            if let value = token.claims[attribute]?.stringValue {
                lines.append("  \(provider.principalSet(attribute: attribute, value: value)) (when the provider maps attribute.\(attribute))")
            }
        }
        lines.append("  principalSet://iam.googleapis.com/\(provider.poolName)/* (every identity of the pool)")
        lines.append("and the IAM Credentials API must be enabled in the service account's project")
        return lines.joined(separator: "\n")
    }
}
