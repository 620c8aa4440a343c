@testable import AWSProvider
import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

/// The record a `credential_process` line names: what a login saves is what
/// `credential-process aws --settings NAME` reads back, and a missing or damaged record is a
/// usage error that says how to get it back.
@Suite struct SavedAWSSettingsTests {
    func settings() throws -> AWSSettings {
        var settings = AWSSettings(roleArn: "arn:aws:iam::123456789012:role/deploy")
        settings.audience = "aws.example"
        settings.roleSessionName = "ci-run"
        settings.durationSeconds = 900
        settings.region = "eu-west-1"
        settings.stsEndpoint = "http://127.0.0.1:9/"
        settings.policyArns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
        settings.maxAttempts = 2
        settings.timeout = 3
        return settings
    }

    @Test func whatALoginSavesReadsBackAsTheSameSettings() throws {
        let home = BrokerHome(path: temporaryDirectory())
        let saved = SavedAWSSettings(home: home, name: "cp")
        let original = try settings()
        let target = try saved.save(original, journal: .unrecorded())
        #expect(target.path == saved.path && fileMode(saved.path) == 0o600)
        let entry = try saved.entry()
        var read = try AWSSettings(block: entry.settings, audience: entry.audience)
        read.deadline = original.deadline
        #expect(read == original)
    }

    @Test func theSameCacheAsTheFlagFormWithTheSameSettings() throws {
        let home = BrokerHome(path: temporaryDirectory())
        let original = try settings()
        _ = try SavedAWSSettings(home: home, name: "cp").save(original, journal: .unrecorded())
        let entry = try SavedAWSSettings(home: home, name: "cp").entry()
        let read = try AWSSettings(block: entry.settings, audience: entry.audience)
        #expect(CredentialProcessCache.derivedKey(read) == CredentialProcessCache.derivedKey(original))
    }

    @Test func aMissingRecordSaysToLogInAgain() throws {
        let saved = SavedAWSSettings(home: BrokerHome(path: temporaryDirectory()), name: "gone")
        let error = try #require(throws: BrokerError.self) { try saved.entry() }
        #expect(error.kind == .usage && error.message.contains("--settings gone") && error.hint?.contains("login aws") == true)
    }

    @Test(arguments: ["", String(repeating: "x", count: 5000), "a b"])
    func aMalformedNameIsAUsageErrorNamingTheFlag(_ name: String) throws {
        let saved = SavedAWSSettings(home: BrokerHome(path: temporaryDirectory()), name: name)
        let error = try #require(throws: BrokerError.self) { try saved.entry() }
        #expect(error.kind == .usage && error.message.hasPrefix("--settings: ") && !error.message.contains(String(repeating: "x", count: 100)))
    }

    @Test(arguments: [#"{"version": 2, "audience": "a", "settings": {}}"#, "[]", "{", #"{"version": 1, "settings": {}}"#])
    func aDamagedRecordIsAUsageError(_ text: String) throws {
        let saved = SavedAWSSettings(home: BrokerHome(path: temporaryDirectory()), name: "cp")
        try writeText(text, to: saved.path)
        let error = try #require(throws: BrokerError.self) { try saved.entry() }
        #expect(error.kind == .usage && error.message.contains(saved.path))
    }

    @Test func anOutOfRangeValueNamesTheFileAndKey() throws {
        let saved = SavedAWSSettings(home: BrokerHome(path: temporaryDirectory()), name: "cp")
        try writeText(#"{"version": 1, "audience": "a", "settings": {"roleArn": "arn:aws:iam::123456789012:role/x", "maxAttempts": 1e19}}"#,
                      to: saved.path)
        let error = try #require(throws: BrokerError.self) { try saved.entry() }
        #expect(error.message.contains("\(saved.path): settings.maxAttempts"))
    }
}
