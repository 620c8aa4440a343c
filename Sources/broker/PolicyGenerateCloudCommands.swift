import ArgumentParser
import AzureProvider
import BrokerCore
import Foundation
import GCPProvider
import VaultProvider

/// `broker policy generate vault`: a JWT auth role bound to the token's audience and subject,
/// for `bao write auth/jwt/role/NAME @role.json`.
struct PolicyGenerateVaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Print a Vault/OpenBao JWT auth role (bound_audiences, bound_subject or a glob bound_claims.sub).")

    @Option(help: "The audience to bind (default vault).")
    var audience = "vault"

    @Option(name: .customLong("token-policy"), help: "A Vault policy the role grants (repeatable; default: default).")
    var tokenPolicies: [String] = []

    @OptionGroup var trusted: PolicySubjectOptions

    func run() async throws {
        let resolved = try await trusted.resolve(audience: audience, httpsOnly: false)
        Terminal.output(try VaultRoleCheck.template(audience: audience, subject: resolved.subject,
                                                    policies: tokenPolicies.isEmpty ? ["default"] : tokenPolicies))
        Terminal.note("the auth method trusts the issuer: bao write auth/jwt/config oidc_discovery_url=\(resolved.issuer) bound_issuer=\(resolved.issuer)")
    }
}

/// `broker policy generate azure`: the federated credential for the token's issuer and subject,
/// for `az ad app federated-credential create --id APP --parameters @credential.json`.
struct PolicyGenerateAzureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azure",
        abstract: "Print an Entra federated credential (issuer, subject, audiences) for the token.")

    @Option(help: "The audience (default api://AzureADTokenExchange).")
    var audience = "api://AzureADTokenExchange"

    @Option(help: "The credential's name (default broker).")
    var name = "broker"

    @OptionGroup var trusted: PolicySubjectOptions

    func run() async throws {
        let resolved = try await trusted.resolve(audience: audience)
        guard !resolved.subject.contains("*") else {
            throw BrokerError.usage("--subject: Entra matches the subject exactly; '\(resolved.subject.prefix(80))' is a pattern",
                                    hint: "name one subject (one credential each; an app holds up to 20)")
        }
        Terminal.output(try FederatedCredentialCheck.template(name: name, issuer: resolved.issuer, subject: resolved.subject, audience: audience))
    }
}

/// `broker policy generate gcp`: the pool provider's flags for the token: its issuer, a
/// mapping of google.subject and the claim the condition names, and the attribute condition.
struct PolicyGenerateGCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcp",
        abstract: "Print the gcloud flags of a workload identity pool provider (issuer, attribute mapping and condition) for the token.")

    @Option(help: "Audience of the token to read (default //iam.googleapis.com/ + --provider, else the token source's default).")
    var audience: String?

    @Option(help: "The pool provider's full name (projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/ID).")
    var provider: String?

    @OptionGroup var trusted: PolicySubjectOptions

    func run() async throws {
        var providerAudience: String?
        if let provider {
            do {
                providerAudience = try WorkloadIdentityProviderName.parse(provider).stsAudience
            } catch let problem as WorkloadIdentityProviderName.Problem {
                throw BrokerError.usage("--provider: \(problem.message)", hint: problem.hint ?? WorkloadIdentityProviderName.shape)
            }
        }
        guard let audience = audience ?? providerAudience else {
            throw BrokerError.usage("--provider (or --audience) is required: the token's audience is the provider's name")
        }
        let resolved = try await trusted.resolve(audience: audience, needsClaims: true)
        var claims = resolved.claims
        claims["sub"] = .string(resolved.subject)
        let condition = PoolProviderCheck.condition(claims: claims)
        let attribute = condition.split(separator: " ").first.map { String($0.dropFirst("assertion.".count)) } ?? "sub"
        let mapping = "google.subject=assertion.sub" + (attribute == "sub" ? "" : ",attribute.\(attribute)=assertion.\(attribute)")
        Terminal.output("""
            --issuer-uri=\(ShellWords.quote(resolved.issuer)) \\
            --attribute-mapping=\(ShellWords.quote(mapping)) \\
            --attribute-condition=\(ShellWords.quote(condition))

            """)
    }
}
