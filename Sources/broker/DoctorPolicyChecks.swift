import AWSProvider
import AzureProvider
import BrokerCore
import Foundation
import GCPProvider
import VaultProvider

/// `broker doctor --policy NAME=FILE`: the offline check of `broker policy check` for a
/// configured provider, by its adapter, against the token its login would send.
enum DoctorPolicyChecks {
    static func check(entry: ProviderEntry, file: String, claims: [String: JSONValue]) -> HealthCheck {
        let name = "policy \(entry.name)"
        guard let data = FileManager.default.contents(atPath: file) else {
            return HealthCheck(name, .fail, "cannot read \(file)", advice: "give --policy \(entry.name)=FILE a readable file")
        }
        do {
            let verdict: (allowed: Bool, fix: String?)
            switch entry.adapter {
            case "aws-sts":
                let result = TrustPolicyEvaluation(policy: try TrustPolicy.parse(data),
                                                   request: .init(claims: claims, roleArn: entry.settings.string("roleArn")))
                verdict = (result.allowed, result.fix)
            case "vault-jwt":
                let result = VaultRoleCheck.evaluate(role: try VaultRoleCheck.parse(data), claims: claims)
                verdict = (result.allowed, result.fix)
            case "azure-federated":
                let result = FederatedCredentialCheck.evaluate(try FederatedCredentialCheck.parse(data), claims: claims)
                verdict = (result.allowed, result.fix)
            case "gcp-workload-identity":
                let result = PoolProviderCheck.evaluate(try PoolProviderCheck.parse(data), claims: claims)
                verdict = (result.allowed, result.fix)
            default:
                return HealthCheck(name, .warn, "broker has no offline check for the \(entry.adapter) adapter")
            }
            return verdict.allowed
                ? HealthCheck(name, .ok, "\(file) allows the token \(entry.name)'s login would send")
                : HealthCheck(name, .fail, "\(file) denies the token \(entry.name)'s login would send", advice: verdict.fix)
        } catch {
            return HealthCheck(name, .fail, "\(file) is not what the \(entry.adapter) adapter's cloud prints: \(error)",
                               advice: "see 'broker policy check --help' for the file each cloud's CLI prints")
        }
    }
}
