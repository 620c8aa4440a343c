@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

/// `broker credential-process aws` in-process: the cache answers while it is fresh, and its
/// window scales with the session.
@Suite struct CredentialProcessCacheTests {
    struct NoToken: Error {}

    func cache(duration: Int) -> (CredentialProcessCache, AWSSettings) {
        var settings = AWSSettings(roleArn: "arn:aws:iam::123456789012:role/deploy")
        settings.durationSeconds = duration
        settings.stsEndpoint = "http://127.0.0.1:9"  // never reached by these tests
        return (CredentialProcessCache(home: BrokerHome(path: temporaryDirectory()), name: "t", settings: settings), settings)
    }

    func document(expiresIn seconds: TimeInterval) -> CredentialProcessCache.Document {
        .init(accessKeyId: "ASIACACHED", secretAccessKey: SecretValue("s"), sessionToken: SecretValue("t"),
              expiration: Date().addingTimeInterval(seconds))
    }

    @Test func aFreshDocumentIsTheAnswerWithoutATokenOrTheNetwork() async throws {
        let (cache, settings) = cache(duration: 3600)
        try cache.store(document(expiresIn: 1800))
        let answer = try await cache.answer(settings: settings, environment: [:]) { throw NoToken() }
        #expect(answer.AccessKeyId == "ASIACACHED")
    }

    @Test func aDocumentInsideTheWindowAsksForATokenFirst() async throws {
        let (cache, settings) = cache(duration: 3600)
        try cache.store(document(expiresIn: 600))  // inside the 15-minute window
        await #expect(throws: NoToken.self) {
            _ = try await cache.answer(settings: settings, environment: [:]) { throw NoToken() }
        }
    }

    @Test func theWindowIsAQuarterOfTheSessionAtMostFifteenMinutes() throws {
        #expect(CredentialProcessCache.refreshWindow(durationSeconds: 900) == 225)
        #expect(CredentialProcessCache.refreshWindow(durationSeconds: 3600) == 900)
        #expect(CredentialProcessCache.refreshWindow(durationSeconds: 43200) == 900)
        // A 900 s session is cached for most of its life.
        let (cache, _) = cache(duration: 900)
        try cache.store(document(expiresIn: 800))
        #expect(cache.fresh() != nil)
    }
}
