@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

/// Login then logout gives the user's files back byte for byte, in every mode: logout undoes
/// exactly the keys broker wrote, from the journal in the state file.
@Suite struct AWSUndoTests {
    struct Place {
        let root = temporaryDirectory()
        var files: AWSSharedFiles { AWSSharedFiles(credentialsPath: root + "/aws/credentials", configPath: root + "/aws/config") }
        var home: BrokerHome { BrokerHome(path: root + "/broker") }
        var state: StateStore { StateStore(home: home) }
        var context: ProviderContext { ProviderContext(home: root, brokerHome: home, environment: [:]) }

        init() { try! FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true) }

        /// The user's own keys are replaced only with `--overwrite`, which these logins pass
        /// (the refusal without it is tested on its own).
        func provider(_ mode: AWSSettings.Mode, profile: String, region: String? = nil, overwrite: Bool = true) -> AWSSTSProvider {
            var settings = AWSSettings(roleArn: "arn:aws:iam::123456789012:role/deploy")
            settings.overwrite = overwrite
            settings.mode = mode
            settings.profile = profile
            settings.region = region
            return AWSSTSProvider(settings: settings, files: files, home: home,
                                  credentialProcessCommand: ["/usr/local/bin/broker", "credential-process", "aws"], environment: [:])
        }

        /// The provider's own writing (no STS), recorded as `broker login` records it.
        @discardableResult
        func login(_ name: String, _ mode: AWSSettings.Mode, profile: String, region: String? = nil, n: Int = 1,
                   finish: Bool = true, overwrite: Bool = true) throws -> [WrittenTarget] {
            let journal = LoginJournal(name: name, adapter: "aws-sts", state: state)
            let result = STSWebIdentityResult(accessKeyId: "ASIA\(n)", secretAccessKey: SecretValue("secret\(n)"),
                                              sessionToken: SecretValue("session\(n)"), expiration: Date(timeIntervalSince1970: 4_000_000_000),
                                              assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/deploy/s")
            let written = try provider(mode, profile: profile, region: region, overwrite: overwrite)
                .write(result, token: try testToken(), sessionName: "s", journal: journal)
            if finish {
                try state.finish(.init(name: name, adapter: "aws-sts", identity: "x", expiration: nil, written: written,
                                       loginID: journal.loginID))
            }
            return written
        }

        @discardableResult
        func logout(_ name: String) throws -> [String] {
            let record = try #require(try state.records().first { $0.name == name })
            let notes = try AWSAdapter.logout(record, context: context)
            try state.remove(name: name, loginID: record.loginID)
            return notes
        }

        func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

        func write(_ text: String?, to path: String) throws {
            if let text { try writeText(text, to: path) } else { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    static let modes: [AWSSettings.Mode] = [.staticKeys, .credentialProcess, .webIdentity]

    @Test(arguments: modes)
    func logoutKeepsWhatTheUserHadInAProfileThatExistedBefore(_ mode: AWSSettings.Mode) throws {
        let place = Place()
        let config = "[profile foo]\nname = value\n"
        let credentials = "[foo]\n# my note\nmfa_serial = arn:aws:iam::1:mfa/me\n"
        try place.write(config, to: place.files.configPath)
        try place.write(credentials, to: place.files.credentialsPath)

        try place.login("aws:foo", mode, profile: "foo", region: "eu-west-1")
        #expect(try readText(place.files.configPath) != config)
        try place.logout("aws:foo")

        #expect(try readText(place.files.configPath) == config)
        #expect(try readText(place.files.credentialsPath) == credentials)
        #expect(try place.state.records().isEmpty)
    }

    @Test func replacedValuesComeBackAndAddedSectionsGo() throws {
        let place = Place()
        let config = "[default]\noutput = json\n\n[profile ci]\nregion : us-east-1\ncredential_process = /opt/old-helper\n  --flag\nsso_session = corp\n"
        try place.write(config, to: place.files.configPath)
        try place.login("ci", .staticKeys, profile: "ci", region: "eu-west-1")
        let after = try readText(place.files.configPath)
        #expect(after.contains("region : eu-west-1") && !after.contains("old-helper"))
        #expect(try readText(place.files.credentialsPath) == "[ci]\naws_access_key_id = ASIA1\naws_secret_access_key = secret1\naws_session_token = session1\nx_security_token_expires = 2096-10-02T07:06:40Z\n")

        try place.logout("ci")
        #expect(try readText(place.files.configPath) == config)
        #expect(!FileManager.default.fileExists(atPath: place.files.credentialsPath))
    }

    @Test func aKeyTheUserChangedAfterTheLoginIsLeftAloneAndNamed() throws {
        let place = Place()
        try place.write("[profile p]\nregion = us-east-1\n", to: place.files.configPath)
        try place.login("p", .credentialProcess, profile: "p", region: "eu-west-1")
        var text = try readText(place.files.configPath)
        text = text.replacingOccurrences(of: "region = eu-west-1", with: "region = ap-south-1")
        try place.write(text, to: place.files.configPath)

        let notes = try place.logout("p")
        #expect(notes.contains { $0.contains("left region in [profile p]") })
        #expect(try readText(place.files.configPath) == "[profile p]\nregion = ap-south-1\n")
    }

    @Test(arguments: [AWSSettings.Mode.staticKeys, .credentialProcess, .webIdentity])
    func theUsersOwnKeysAreNeitherReplacedNorRemovedWithoutOverwrite(_ mode: AWSSettings.Mode) throws {
        let place = Place()
        let credentials = "[p]\naws_access_key_id = AKIAUSERKEY\naws_secret_access_key = usersecret\n"
        try place.write(credentials, to: place.files.credentialsPath)
        #expect(throws: BrokerError.self) { try place.login("p", mode, profile: "p", overwrite: false) }
        #expect(try readText(place.files.credentialsPath) == credentials)
        #expect(!FileManager.default.fileExists(atPath: place.files.configPath))
        #expect(try place.state.records().allSatisfy { $0.written.isEmpty || $0.isPending })
        // Keys a broker login left are broker's to replace, without the flag.
        try place.write("[q]\n", to: place.files.credentialsPath)
        try place.login("q", .staticKeys, profile: "q", n: 1, overwrite: false)
        try place.login("q", .staticKeys, profile: "q", n: 2, overwrite: false)
        #expect(try readText(place.files.credentialsPath).contains("ASIA2"))
    }

    @Test func aSecondLoginOfTheSameNameStillRestoresWhatWasThereFirst() throws {
        let place = Place()
        let config = "[profile p]\n; mine\nregion=us-west-2\n"
        let credentials = "[p]\naws_access_key_id = AKIAUSERKEY\naws_secret_access_key = usersecret\n"
        try place.write(config, to: place.files.configPath)
        try place.write(credentials, to: place.files.credentialsPath)
        try place.login("p", .staticKeys, profile: "p", region: "eu-west-1", n: 1)
        try place.login("p", .credentialProcess, profile: "p", region: "eu-west-2", n: 2)
        try place.login("p", .webIdentity, profile: "p", n: 3)
        try place.login("p", .staticKeys, profile: "p", n: 4)
        try place.logout("p")
        #expect(try readText(place.files.configPath) == config)
        #expect(try readText(place.files.credentialsPath) == credentials)
        #expect(!FileManager.default.fileExists(atPath: place.home.file("aws/credential-process/p.json")))
        #expect(!FileManager.default.fileExists(atPath: place.home.file("aws/web-identity/p.jwt")))
    }

    @Test func aLoginUnderAnotherNameTakesOverTheProfile() throws {
        let place = Place()
        let credentials = "[shared]\nregion_note = mine\n"
        try place.write(credentials, to: place.files.credentialsPath)
        try place.login("first", .staticKeys, profile: "shared", n: 1)
        try place.login("second", .staticKeys, profile: "shared", n: 2)
        // The first login's keys were replaced by the second's: undoing the first changes nothing.
        try place.logout("first")
        #expect(try readText(place.files.credentialsPath).contains("ASIA2"))
        try place.logout("second")
        #expect(try readText(place.files.credentialsPath) == credentials)
    }

    @Test func anInterruptedLoginIsStillUndone() throws {
        let place = Place()
        let config = "[profile x]\noutput = text\n"
        try place.write(config, to: place.files.configPath)
        // Killed after writing, before the login was marked finished.
        try place.login("x", .credentialProcess, profile: "x", region: "eu-west-1", finish: false)
        let record = try #require(try place.state.records().first)
        #expect(record.isPending)
        try place.logout("x")
        #expect(try readText(place.files.configPath) == config)
        #expect(!FileManager.default.fileExists(atPath: place.home.file("aws/credential-process/x.json")))
    }

    @Test func aLoginKilledBetweenRecordingAndWritingLosesNothing() throws {
        let place = Place()
        let credentials = "[p]\naws_access_key_id = AKIAUSER\naws_secret_access_key = mine\n"
        try place.write(credentials, to: place.files.credentialsPath)
        try place.login("p", .staticKeys, profile: "p", n: 1)
        let afterFirst = try readText(place.files.credentialsPath)
        // The second login recorded its change, then died before the rename: the file still
        // holds the first login's keys.
        try place.login("p", .staticKeys, profile: "p", n: 2, finish: false)
        try place.write(afterFirst, to: place.files.credentialsPath)
        try place.login("p", .staticKeys, profile: "p", n: 3)
        try place.logout("p")
        #expect(try readText(place.files.credentialsPath) == credentials)
    }

    @Test func aRecordFromBeforeUndoInformationStillLogsOut() throws {
        let place = Place()
        try place.write("[old]\naws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\n\n[keep]\nk = v\n",
                        to: place.files.credentialsPath)
        try place.state.record(.init(name: "old", adapter: "aws-sts", identity: "x", expiration: nil,
                                     written: [WrittenTarget(kind: .section, path: place.files.credentialsPath, section: "old")]))
        try place.logout("old")
        #expect(try readText(place.files.credentialsPath) == "[keep]\nk = v\n")
    }

    @Test func aRecordFromBeforeUndoInformationKeepsAUsersRoleChain() throws {
        let place = Place()
        let config = "[profile old]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\ncredential_process = /x/broker credential-process aws\n"
        try place.write(config, to: place.files.configPath)
        try place.state.record(.init(name: "old", adapter: "aws-sts", identity: "x", expiration: nil,
                                     written: [WrittenTarget(kind: .section, path: place.files.configPath, section: "profile old")]))
        try place.logout("old")
        #expect(try readText(place.files.configPath) == "[profile old]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\n")
    }

    // MARK: The property: for every kind of file a user may have, login + logout is the identity.

    /// Pieces of real-world AWS files: comments, odd spacing, CRLF, other profiles before and
    /// after, the target profile absent, present with the user's own keys, or (config) spelled
    /// twice, and no final newline.
    static func corpus(seed: UInt64, count: Int) -> [(config: String?, credentials: String?)] {
        var random = SeededGenerator(state: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func maybe() -> Bool { random.next() % 2 == 0 }
        let keyLines = ["region = us-east-1", "output=json", "  output :  text  ", "mfa_serial = arn:aws:iam::1:mfa/me",
                        "sso_session = corp", "role_arn = arn:aws:iam::1:role/admin", "source_profile = base",
                        "s3 =\n  addressing_style = path", "cli_pager=", "credential_process = /opt/helper --x",
                        "aws_access_key_id = AKIAUSER", "aws_secret_access_key = userSecret", "aws_security_token = legacy",
                        "web_identity_token_file = /var/run/token\nrole_session_name = mine", "duration_seconds=900"]
        let decorations = ["# a comment", "; another", "", "\t# indented comment"]
        func section(_ header: String) -> String {
            var lines = [header]
            var used = Set<String>()
            for _ in 0 ..< Int(random.next() % 4) {
                let line = pick(keyLines)
                let key = line.split(whereSeparator: { "=:".contains($0) })[0].trimmingCharacters(in: .whitespaces).lowercased()
                guard used.insert(key).inserted else { continue }
                if key == "web_identity_token_file" { guard used.insert("role_session_name").inserted else { continue } }
                if maybe() { lines.append(pick(decorations)) }
                lines.append(line)
            }
            if maybe() { lines.append(pick(decorations)) }
            return lines.joined(separator: "\n")
        }
        func file(target: [String]) -> String? {
            if random.next() % 6 == 0 { return nil }
            var parts: [String] = maybe() ? [pick(decorations)] : []
            if maybe() { parts.append(section(pick(["[other]", "[default]", "[profile base]"]))) }
            if random.next() % 3 != 0 {
                for header in target { parts.append(section(header)) }
            }
            if maybe() { parts.append(section("[zz-after]")) }
            var text = parts.joined(separator: "\n")
            if maybe() { text += "\n" }
            if random.next() % 4 == 0 { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
            return text
        }
        return (0 ..< count).map { _ in
            let configTargets = pick([["[profile target]"], ["[profile target]", "[profile  target]"], ["[profile \"target\"]"]])
            return (file(target: configTargets), file(target: ["[target]"]))
        }
    }

    @Test(arguments: modes)
    func loginThenLogoutRestoresEveryFileExactly(_ mode: AWSSettings.Mode) throws {
        let cases = Self.corpus(seed: 0x5EED + UInt64(Self.modes.firstIndex(of: mode)!), count: 150)
        var checked = 0
        for (index, original) in cases.enumerated() {
            let place = Place()
            try place.write(original.config, to: place.files.configPath)
            try place.write(original.credentials, to: place.files.credentialsPath)
            do {
                try place.login("t", mode, profile: "target", region: index % 2 == 0 ? "eu-west-1" : nil)
            } catch let error as BrokerError where error.kind == .usage {
                // A file botocore itself cannot read is refused with nothing written.
                #expect(place.read(place.files.configPath) == original.config.map { Data($0.utf8) })
                #expect(place.read(place.files.credentialsPath) == original.credentials.map { Data($0.utf8) })
                continue
            }
            if mode != .staticKeys || index % 2 == 0 {
                #expect(try place.files.readConfig().configSection(profile: "target") != nil)
            }
            try place.logout("t")
            #expect(place.read(place.files.configPath) == original.config.map { Data($0.utf8) },
                    "config, case \(index): \(String(reflecting: original.config)) became \(String(reflecting: place.read(place.files.configPath).map { String(decoding: $0, as: UTF8.self) }))")
            #expect(place.read(place.files.credentialsPath) == original.credentials.map { Data($0.utf8) },
                    "credentials, case \(index): \(String(reflecting: original.credentials)) became \(String(reflecting: place.read(place.files.credentialsPath).map { String(decoding: $0, as: UTF8.self) }))")
            checked += 1
        }
        #expect(checked >= 100)
    }

    @Test func switchingModesThenLoggingOutRestoresEveryFileExactly() throws {
        for (index, original) in Self.corpus(seed: 0xC0FFEE, count: 100).enumerated() {
            let place = Place()
            try place.write(original.config, to: place.files.configPath)
            try place.write(original.credentials, to: place.files.credentialsPath)
            do {
                for (n, mode) in [AWSSettings.Mode.webIdentity, .staticKeys, .credentialProcess, .staticKeys].enumerated() {
                    try place.login("t", mode, profile: "target", region: n == 1 ? "eu-west-1" : nil, n: n)
                }
            } catch let error as BrokerError where error.kind == .usage { continue }
            try place.logout("t")
            #expect(place.read(place.files.configPath) == original.config.map { Data($0.utf8) }, "config, case \(index): \(String(reflecting: original.config)) became \(String(reflecting: place.read(place.files.configPath).map { String(decoding: $0, as: UTF8.self) }))")
            #expect(place.read(place.files.credentialsPath) == original.credentials.map { Data($0.utf8) }, "credentials, case \(index): \(String(reflecting: original.credentials)) became \(String(reflecting: place.read(place.files.credentialsPath).map { String(decoding: $0, as: UTF8.self) }))")
        }
    }
}

func testToken() throws -> IdentityToken {
    let header = #"{"alg":"RS256","typ":"JWT"}"#
    let payload = #"{"iss":"https://issuer.example","sub":"repo:acme/app","aud":"sts.amazonaws.com","exp":1900000000}"#
    return try IdentityToken(jwt: Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(payload.utf8)) + ".c2ln")
}
