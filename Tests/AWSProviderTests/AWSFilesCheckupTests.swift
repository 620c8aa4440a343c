@testable import AWSProvider
import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

@Suite struct AWSFilesCheckupTests {
    let home = temporaryDirectory()

    func checks(_ environment: [String: String] = [:]) -> [String: HealthCheck] {
        Dictionary(AWSFilesCheckup.checks(environment: environment, home: home).map { ($0.name, $0) }) { $1 }
    }

    @Test func staticKeysShadowingCredentialProcessFailForNamedAndDefaultProfiles() throws {
        try writeText("[default]\ncredential_process = broker x\n[profile ci]\ncredential_process = broker y\n[profile other]\nregion = eu-west-1\n",
                      to: home + "/.aws/config")
        try writeText("[default]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n[ci]\nregion = x\n", to: home + "/.aws/credentials")
        chmod(home + "/.aws/credentials", 0o600)
        let found = checks()
        #expect(found["profile default"]?.status == .fail && found["profile ci"]?.status == .ok && found["profile other"] == nil)
        #expect(found["AWS credentials file"]?.status == .ok)
        #expect(!(found["profile default"]?.detail.contains("AKIA1") ?? true))
    }

    @Test func aReadableCredentialsFileAndEnvironmentKeys() throws {
        try writeText("[default]\n", to: home + "/.aws/credentials")
        chmod(home + "/.aws/credentials", 0o644)
        let found = checks(["AWS_ACCESS_KEY_ID": "AKIA2"])
        #expect(found["AWS credentials file"]?.status == .fail && found["AWS credentials file"]?.advice == "chmod 600 \(home)/.aws/credentials")
        #expect(found["AWS_ACCESS_KEY_ID"]?.status == .warn)
        #expect(found["AWS config file"]?.status == .ok)
    }
}
