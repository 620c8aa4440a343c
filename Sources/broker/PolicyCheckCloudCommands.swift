import ArgumentParser
import AzureProvider
import BrokerCore
import Foundation
import GCPProvider
import VaultProvider

/// `broker policy check vault --policy role.json`: a JWT auth role (`bao read -format=json
/// auth/jwt/role/NAME`) against the token, with Vault/OpenBao's login rules.
struct PolicyCheckVaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Check a Vault/OpenBao JWT role (bound_audiences, bound_subject, bound_claims, user_claim).")

    @Option(help: "Audience of the token to check (default vault).")
    var audience = "vault"

    @OptionGroup var input: PolicyInputOptions

    func run() async throws {
        let role = try input.parsePolicy("a JWT auth role", VaultRoleCheck.parse)
        let claims = try await input.claims(audience: audience)
        try input.report(VaultRoleCheck.evaluate(role: role, claims: claims), subject: "the role", claims: claims)
    }
}

/// `broker policy check azure --policy credential.json`: Entra federated credentials
/// (`az ad app federated-credential show|list`) against the token: issuer, subject and an
/// audience must match exactly.
struct PolicyCheckAzureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "azure",
        abstract: "Check Entra federated credentials (issuer, subject, audiences; exact and case-sensitive).")

    @Option(help: "Audience of the token to check (default api://AzureADTokenExchange).")
    var audience = "api://AzureADTokenExchange"

    @OptionGroup var input: PolicyInputOptions

    func run() async throws {
        let credentials = try input.parsePolicy("a federated credential", FederatedCredentialCheck.parse)
        let claims = try await input.claims(audience: audience)
        try input.report(FederatedCredentialCheck.evaluate(credentials, claims: claims), subject: "the federated credential", claims: claims)
    }
}

/// `broker policy check gcp --policy provider.json`: a workload identity pool provider
/// (`gcloud iam workload-identity-pools providers describe --format=json`) against the token.
struct PolicyCheckGCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcp",
        abstract: "Check a workload identity pool provider (issuer, audiences, google.subject, attribute condition).")

    @Option(help: "Audience of the token to check (default: the provider's own name, Google's default).")
    var audience: String?

    @OptionGroup var input: PolicyInputOptions

    func run() async throws {
        let provider = try input.parsePolicy("a workload identity pool provider", PoolProviderCheck.parse)
        guard let audience = audience ?? provider.name.map({ "//iam.googleapis.com/" + $0.replacingOccurrences(of: "//iam.googleapis.com/", with: "") }) else {
            throw BrokerError.usage("--audience is required: the provider file has no name to take Google's default audience from")
        }
        let claims = try await input.claims(audience: audience)
        try input.report(PoolProviderCheck.evaluate(provider, claims: claims), subject: "the pool provider", claims: claims)
    }
}
