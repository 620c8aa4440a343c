import BrokerCore
import BrokerIssuer
import Foundation
import Testing

@Suite struct KeyStoreTests {
    @Test func firstUseCreatesAPrivateRS256Key() throws {
        let home = temporaryHome()
        let key = try KeyStore(home: home).signingKey(algorithm: nil)
        #expect(key.algorithm == .rs256)
        let pem = home.file("issuer/keys/\(key.kid).pem")
        #expect(fileMode(pem) == 0o600)
        #expect(fileMode(home.file("issuer")) == 0o700)
        #expect(try KeyStore(home: home).signingKey(algorithm: nil).kid == key.kid)
    }

    @Test func es256WhenConfigured() throws {
        let key = try KeyStore(home: temporaryHome()).signingKey(algorithm: .es256)
        #expect(key.algorithm == .es256)
        #expect(key.publicJWK.kty == "EC" && key.publicJWK.crv == "P-256")
    }

    @Test func kidIsTheRFC7638Thumbprint() {
        // The example key and thumbprint of RFC 7638 section 3.1.
        let jwk = PublicJWK(kty: "RSA", n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", e: "AQAB")
        #expect(jwk.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test func generatedKidMatchesItsOwnThumbprint() throws {
        let key = try KeyStore(home: temporaryHome()).signingKey(algorithm: nil)
        #expect(key.kid == key.publicJWK.thumbprint)
    }

    @Test func rotationKeepsThePreviousKeyPublishedUntilItsTokensExpire() throws {
        let store = KeyStore(home: temporaryHome())
        let t0 = Date()
        let old = try store.signingKey(algorithm: nil, now: t0)
        let (new, removed) = try store.rotate(algorithm: nil, retireNow: false, now: t0)
        #expect(removed.isEmpty)
        #expect(try store.signingKey(algorithm: nil).kid == new.kid)
        #expect(try store.publishedKeys(now: t0).map(\.kid) == [new.kid, old.kid])
        // Just before the last token the old key signed can expire it is still there; after, gone.
        #expect(try store.publishedKeys(now: t0.addingTimeInterval(KeyStore.retention - 1)).count == 2)
        #expect(try store.publishedKeys(now: t0.addingTimeInterval(KeyStore.retention + 1)).map(\.kid) == [new.kid])
    }

    @Test func retireNowRemovesPreviousKeysAtOnce() throws {
        let store = KeyStore(home: temporaryHome())
        let old = try store.signingKey(algorithm: nil)
        let (new, removed) = try store.rotate(algorithm: nil, retireNow: true)
        #expect(removed == [old.kid])
        #expect(try store.publishedKeys().map(\.kid) == [new.kid])
    }

    @Test func corruptKeyIsAnErrorNamingTheFileAndIsNeverReplaced() throws {
        let home = temporaryHome()
        let store = KeyStore(home: home)
        let key = try store.signingKey(algorithm: nil)
        let pem = home.file("issuer/keys/\(key.kid).pem")
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: pem))
        do {
            _ = try store.signingKey(algorithm: nil)
            Issue.record("expected an error")
        } catch let error as BrokerError {
            #expect(error.exitCode == 1)
            #expect(error.message.contains(pem))
        }
        #expect(try String(contentsOfFile: pem, encoding: .utf8) == "garbage")
    }

    @Test func corruptKeyringIsAnErrorAndIsNeverReplaced() throws {
        let home = temporaryHome()
        _ = try KeyStore(home: home).signingKey(algorithm: nil)
        let ring = home.file("issuer/keyring.json")
        try Data("{".utf8).write(to: URL(fileURLWithPath: ring))
        #expect(throws: BrokerError.self) { try KeyStore(home: home).signingKey(algorithm: nil) }
        #expect(throws: BrokerError.self) { try KeyStore(home: home).rotate(algorithm: nil, retireNow: false) }
        #expect(try String(contentsOfFile: ring, encoding: .utf8) == "{")
    }
}
