import BrokerCore
import Foundation

/// The `external_account` credential configuration Google's client libraries, gcloud
/// (`CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE`) and Terraform load: from it they exchange the
/// identity token themselves whenever their access token runs out.
struct ExternalAccountFile: Encodable {
    struct Impersonation: Encodable {
        var token_lifetime_seconds: Int
    }

    struct Format: Encodable {
        var type = "text"
    }

    struct Executable: Encodable {
        var command: String
        var timeout_millis: Int
        var output_file: String
    }

    /// Exactly one of `file` (with `format`) or `executable`.
    struct CredentialSource: Encodable {
        var file: String?
        var format: Format?
        var executable: Executable?
    }

    var type = "external_account"
    var audience: String
    var subject_token_type = GCPSettings.subjectTokenType
    var token_url: String
    var service_account_impersonation_url: String?
    var service_account_impersonation: Impersonation?
    var credential_source: CredentialSource
    var universe_domain: String

    /// `executableCommand`: the `broker gcp-token NAME` line (for `credentialSource: executable`).
    init(settings: GCPSettings, executableCommand: String) {
        audience = settings.provider.stsAudience
        token_url = settings.tokenURL.absoluteString
        if let email = settings.serviceAccount {
            service_account_impersonation_url = settings.impersonationURL(email).absoluteString
            service_account_impersonation = Impersonation(token_lifetime_seconds: Int(settings.tokenLifetime))
        }
        switch settings.credentialSource {
        case .file:
            credential_source = CredentialSource(file: settings.tokenFile, format: Format())
        case .executable:
            credential_source = CredentialSource(executable: Executable(command: executableCommand, timeout_millis: GCPSettings.executableTimeoutMillis,
                                                                        output_file: settings.executableOutputFile))
        }
        universe_domain = settings.universeDomain
    }

    func encoded() throws -> Data { try JSONOutput.encode(self) }
}
