import BrokerCore
@testable import BrokerIssuer
import Foundation
import Testing

/// Reading OpenBao's answers: a transit key with two versions (as `bao` itself answered, kept in
/// the fuzz corpus) and KV v2 request tokens.
@Suite struct TransitKeysTests {
    static func corpus(_ name: String) throws -> JSONValue {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Fuzz/corpus/openbao/\(name)")
        return try StrictJSON.parse(Data(contentsOf: url))
    }

    @Test func versionsAreNewestFirstEachRetiredWhenTheNextWasCreated() throws {
        let answer = try Self.corpus("transit-rsa-two-versions.json")
        let versions = try TransitKeys.versions(from: answer, name: "transit/keys/k", address: "http://bao", now: Date())
        #expect(versions.map(\.number) == [2, 1])
        #expect(versions[0].entry.retiredAt == nil && versions[1].entry.retiredAt == versions[0].entry.createdAt)
        #expect(versions.allSatisfy { $0.entry.algorithm == .rs256 && $0.entry.kid == $0.entry.publicKey.thumbprint })
        #expect(Set(versions.map(\.entry.kid)).count == 2)
    }

    @Test func trimmedVersionsAreNotPublished() throws {
        guard case .object(var data) = try Self.corpus("transit-rsa-two-versions.json") else { Issue.record("not an object"); return }
        data["min_decryption_version"] = .number(2)
        #expect(try TransitKeys.versions(from: .object(data), name: "k", address: "a", now: Date()).map(\.number) == [2])
    }

    @Test func aKeyThatCannotSignJWTsIsRefusedWithTheFix() throws {
        guard case .object(var data) = try Self.corpus("transit-ecdsa.json") else { Issue.record("not an object"); return }
        #expect(try TransitKeys.versions(from: .object(data), name: "k", address: "a", now: Date()).first?.entry.algorithm == .es256)
        data["type"] = .string("aes256-gcm96")
        let error = #expect(throws: BrokerError.self) { try TransitKeys.versions(from: .object(data), name: "k", address: "a", now: Date()) }
        #expect(error?.kind == .usage && error?.hint?.contains("init-transit") == true)
    }

    @Test func kvRequestTokensAndTheirVersion() throws {
        let (entries, version) = try KVRequestTokens.entries(from: Self.corpus("kv-tokens.json"), secret: "s", address: "a")
        #expect(entries.map(\.id) == ["rt-0011"] && version == 1)
        #expect(try KVRequestTokens.entries(from: nil, secret: "s", address: "a").entries.isEmpty)
        #expect(throws: BrokerError.self) {
            try KVRequestTokens.entries(from: .object(["data": .object(["tokens": .string("x")])]), secret: "s", address: "a")
        }
    }

    @Test func backendSettingsNeedOneTokenSourceAndSafeNames() throws {
        func resolve(_ keys: [String: String]) throws -> IssuerBackendSettings {
            try IssuerBackendSettings.resolve(SettingsBlock(["keys": .object(keys.mapValues(JSONValue.string))], path: "issuer"), environment: [:])
        }
        #expect(throws: BrokerError.self) { try resolve(["backend": "transit", "address": "http://bao:8200"]) }
        #expect(throws: BrokerError.self) { try resolve(["backend": "transit", "address": "http://bao:8200", "tokenEnv": "T", "key": "../x"]) }
        let empty = #expect(throws: BrokerError.self) { try resolve(["backend": "transit", "address": "http://bao:8200", "tokenFile": " "]) }
        #expect(empty?.message == "issuer.keys.tokenFile: is empty")
        let settings = try resolve(["backend": "transit", "address": "http://bao:8200/", "tokenEnv": "T", "refresh": "2s"])
        guard case .transit(let connection, let mount, let key) = settings.keys else { Issue.record("not transit"); return }
        #expect(connection.address == "http://bao:8200" && mount == "transit" && key == "broker-issuer" && settings.refresh == 2)
    }
}
