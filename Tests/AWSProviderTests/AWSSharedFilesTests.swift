@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

@Suite struct AWSSharedFilesTests {
    let credentials = AWSSessionCredentials(
        accessKeyId: "ASIANEWKEY", secretAccessKey: SecretValue("new/secret+key"),
        sessionToken: SecretValue("FwoGZXIvYXdzEBYaDnewtoken=="),
        expiration: Date(timeIntervalSince1970: 1_795_734_000)) // 2026-11-26T23:00:00Z

    func files(_ root: String) -> AWSSharedFiles {
        AWSSharedFiles(credentialsPath: root + "/aws/credentials", configPath: root + "/aws/config")
    }

    @Test func resolvesPathsLikeBotocore() {
        let defaults = AWSSharedFiles(environment: [:], home: "/home/u")
        #expect(defaults.credentialsPath == "/home/u/.aws/credentials")
        #expect(defaults.configPath == "/home/u/.aws/config")

        let overridden = AWSSharedFiles(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": "/tmp/creds", "AWS_CONFIG_FILE": "~/cfg/config",
        ], home: "/home/u/")
        #expect(overridden.credentialsPath == "/tmp/creds")
        #expect(overridden.configPath == "/home/u/cfg/config")

        let expanded = AWSSharedFiles(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": "${XDG}/aws/$NAME.ini", "AWS_CONFIG_FILE": "$UNSET/x$", "XDG": "/x", "NAME": "creds",
        ], home: "/h")
        #expect(expanded.credentialsPath == "/x/aws/creds.ini")
        #expect(expanded.configPath == "$UNSET/x$")

        let empty = AWSSharedFiles(environment: ["AWS_CONFIG_FILE": "", "HOME": "/from-env"])
        #expect(empty.configPath == "/from-env/.aws/config")
    }

    @Test func expandsUserLikePython() {
        #expect(AWSSharedFiles.expandUser("~", home: "/h/") == "/h")
        #expect(AWSSharedFiles.expandUser("~/a", home: "/") == "/a")
        #expect(AWSSharedFiles.expandUser("~bob/a", home: "/h") == "~bob/a")
        #expect(AWSSharedFiles.expandUser("/a/~", home: "/h") == "/a/~")
    }

    @Test func staticProfileChangesOnlyItsOwnSection() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true)
        let original = """
            # managed by hand
            ;  keep this too

            [default]
            aws_access_key_id=AKIADEFAULT
            aws_secret_access_key   :   defaultsecret # not a comment

            [ci]
            AWS_Access_Key_ID : ASIAOLD
            aws_secret_access_key: oldsecret
            aws_security_token = legacy
            # the token below expires hourly
            aws_session_token =oldtoken
            x_security_token_expires = 2020-01-01T00:00:00Z

            ; trailing comment about prod
            [prod]
            aws_access_key_id = AKIAPROD
            aws_secret_access_key = prodsecret
            """
        try writeText(original, to: shared.credentialsPath)

        try shared.writeStaticProfile("ci", credentials: credentials, overwrite: true)

        let expected = """
            # managed by hand
            ;  keep this too

            [default]
            aws_access_key_id=AKIADEFAULT
            aws_secret_access_key   :   defaultsecret # not a comment

            [ci]
            AWS_Access_Key_ID : ASIANEWKEY
            aws_secret_access_key: new/secret+key
            # the token below expires hourly
            aws_session_token =FwoGZXIvYXdzEBYaDnewtoken==
            x_security_token_expires = 2026-11-26T23:00:00Z

            ; trailing comment about prod
            [prod]
            aws_access_key_id = AKIAPROD
            aws_secret_access_key = prodsecret
            """
        #expect(try readText(shared.credentialsPath) == expected)
        #expect(fileMode(shared.credentialsPath) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: shared.configPath))
        #expect(try readWithConfigParser(shared.credentialsPath) == .sections([
            "default": ["aws_access_key_id": "AKIADEFAULT", "aws_secret_access_key": "defaultsecret # not a comment"],
            "ci": [
                "aws_access_key_id": "ASIANEWKEY", "aws_secret_access_key": "new/secret+key",
                "aws_session_token": "FwoGZXIvYXdzEBYaDnewtoken==", "x_security_token_expires": "2026-11-26T23:00:00Z",
            ],
            "prod": ["aws_access_key_id": "AKIAPROD", "aws_secret_access_key": "prodsecret"],
        ]))
    }

    @Test func staticProfileCreatesFilesAndWritesTheRegionOnlyWhenGiven() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try shared.writeStaticProfile("dev", credentials: credentials, region: "eu-west-1")
        try shared.writeStaticProfile("default", credentials: credentials, region: "us-east-2")
        try shared.writeStaticProfile("noregion", credentials: credentials)

        #expect(fileMode(root + "/aws") == 0o700)
        #expect(try readText(shared.configPath) == "[profile dev]\nregion = eu-west-1\n\n[default]\nregion = us-east-2\n")
        let parsed = try readWithConfigParser(shared.credentialsPath)
        guard case .sections(let sections) = parsed else {
            Issue.record("configparser failed: \(parsed)")
            return
        }
        #expect(sections.keys.sorted() == ["default", "dev", "noregion"])
        #expect(sections["dev"]?["aws_session_token"] == "FwoGZXIvYXdzEBYaDnewtoken==")
        #expect(try readWithConfigParser(shared.configPath) == .sections([
            "profile dev": ["region": "eu-west-1"], "default": ["region": "us-east-2"],
        ]))
    }

    @Test func staticProfileUpdatesTheConfigSectionBotocoreReads() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true)
        try writeText("[profile  dev]\nregion=us-east-1\nweb_identity_token_file = /t\noutput = json\n", to: shared.configPath)
        try shared.writeStaticProfile("dev", credentials: credentials, region: "eu-north-1",
                                      removingConfigKeys: ["web_identity_token_file", "role_arn"])
        #expect(try readText(shared.configPath) == "[profile  dev]\nregion=eu-north-1\noutput = json\n")
    }

    @Test func clearingConfigKeysNeverCreatesAnEmptyConfigFile() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try shared.writeStaticProfile("dev", credentials: credentials, removingConfigKeys: ["credential_process"])
        #expect(FileManager.default.fileExists(atPath: shared.credentialsPath))
        #expect(!FileManager.default.fileExists(atPath: shared.configPath))
    }

    @Test func configProfileSetsKeysAndClearsStaticKeys() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true)
        try writeText("[ci]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\nx_security_token_expires = E\n\n[other]\naws_access_key_id = B\naws_secret_access_key = S2\n", to: shared.credentialsPath)
        try writeText("# my config\n[profile ci]\nregion = eu-west-1\ncredential_process = old\n", to: shared.configPath)

        try shared.writeConfigProfile("ci", settings: [
            ("credential_process", "/usr/local/bin/broker credential-process aws --profile-cache ci"),
            ("output", "json"),
        ], overwrite: true)

        #expect(try readText(shared.configPath) == "# my config\n[profile ci]\nregion = eu-west-1\ncredential_process = /usr/local/bin/broker credential-process aws --profile-cache ci\noutput = json\n")
        // No broker login created [ci], so its header stays (logout can put the keys back into it).
        #expect(try readText(shared.credentialsPath) == "[ci]\n\n[other]\naws_access_key_id = B\naws_secret_access_key = S2\n")
        #expect(try readWithConfigParser(shared.configPath) == .sections([
            "profile ci": [
                "region": "eu-west-1", "output": "json",
                "credential_process": "/usr/local/bin/broker credential-process aws --profile-cache ci",
            ],
        ]))
    }

    @Test func clearingStaticKeysKeepsASectionWithOtherContent() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true)
        try writeText("[default]\n# note\naws_access_key_id = A\naws_secret_access_key = S\n", to: shared.credentialsPath)
        try shared.writeConfigProfile("default", settings: [("role_arn", "arn:aws:iam::123456789012:role/r"),
                                                            ("web_identity_token_file", "/tok")], overwrite: true)
        #expect(try readText(shared.credentialsPath) == "[default]\n# note\n")
        #expect(try readText(shared.configPath) == "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nweb_identity_token_file = /tok\n")
    }

    @Test func missingCredentialsFileStaysMissing() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try shared.writeConfigProfile("x", settings: [("credential_process", "broker")])
        #expect(!FileManager.default.fileExists(atPath: shared.credentialsPath))
        #expect(try readText(shared.configPath) == "[profile x]\ncredential_process = broker\n")
        let elsewhere = AWSSharedFiles(credentialsPath: root + "/new/dir/credentials", configPath: shared.configPath)
        try elsewhere.writeConfigProfile("x", settings: [("credential_process", "broker")])
        #expect(!FileManager.default.fileExists(atPath: root + "/new"))
    }

    @Test func aBrokenFileMeansNothingIsWritten() throws {
        let root = temporaryDirectory()
        let shared = files(root)
        try FileManager.default.createDirectory(atPath: root + "/aws", withIntermediateDirectories: true)
        let creds = "[dev]\naws_access_key_id = OLD\n"
        try writeText(creds, to: shared.credentialsPath)
        try writeText("[default]\nregion = a\nregion = b\n", to: shared.configPath)
        let error = try #require(throws: BrokerError.self) {
            try shared.writeStaticProfile("dev", credentials: credentials, region: "eu-west-1")
        }
        #expect(error.kind == .usage)
        #expect(error.message.contains(shared.configPath))
        #expect(try readText(shared.credentialsPath) == creds)
    }

    @Test(arguments: ["", "DEFAULT", "a b", "[x]", "x]", "it's", "a\"b", "tab\there", "new\nline"])
    func rejectsProfileNamesTheFilesCannotHold(_ name: String) {
        #expect(throws: BrokerError.self) { try AWSSharedFiles.validate(profile: name) }
    }

    @Test(arguments: ["default", "dev", "ci-123_x.y@z+w=v,u/t:s", "Default"])
    func acceptsOrdinaryProfileNames(_ name: String) throws {
        try AWSSharedFiles.validate(profile: name)
    }
}
