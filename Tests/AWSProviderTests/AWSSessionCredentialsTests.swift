import AWSProvider
import BrokerCore
import Foundation
import Testing

@Suite struct AWSSessionCredentialsTests {
    @Test func formatsWholeSecondsInUTC() {
        #expect(AWSSessionCredentials.iso8601(Date(timeIntervalSince1970: 1_795_734_000.75)) == "2026-11-26T23:00:00Z")
    }

    @Test func parsesWithAndWithoutFractionalSeconds() {
        let whole = Date(timeIntervalSince1970: 1_795_734_000)
        #expect(AWSSessionCredentials.parseISO8601("2026-11-26T23:00:00Z") == whole)
        #expect(AWSSessionCredentials.parseISO8601("2026-11-26T23:00:00.000Z") == whole)
        #expect(AWSSessionCredentials.parseISO8601("2026-11-27T00:00:00+01:00") == whole)
        let fraction = AWSSessionCredentials.parseISO8601("2026-11-26T23:00:00.359Z")
        #expect(abs((fraction?.timeIntervalSince1970 ?? 0) - 1_795_734_000.359) < 0.001)
        #expect(AWSSessionCredentials.parseISO8601("tomorrow") == nil)
    }

    @Test func secretsAreRedactedWhenPrinted() {
        let credentials = AWSSessionCredentials(accessKeyId: "ASIA", secretAccessKey: SecretValue("s3cr3t"),
                                                sessionToken: SecretValue("t0k3n"), expiration: Date())
        let printed = "\(credentials) \(String(reflecting: credentials))"
        #expect(!printed.contains("s3cr3t"))
        #expect(!printed.contains("t0k3n"))
    }
}
