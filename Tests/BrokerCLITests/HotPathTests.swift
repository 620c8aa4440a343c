import ArgumentParser
import BrokerCore
@testable import broker
import Foundation
import Testing

/// The hot path must read exactly what argument-parser reads, and hand everything else back.
@Suite struct HotPathTests {
    /// Long option names argument-parser defines for a command, from its own help dump.
    static func definedNames(_ dump: String) throws -> Set<String> {
        struct Dump: Decodable {
            struct Command: Decodable { var arguments: [Argument]? }
            struct Argument: Decodable { var names: [Name]? }
            struct Name: Decodable { var kind: String; var name: String }
            var command: Command
        }
        let decoded = try JSONDecoder().decode(Dump.self, from: Data(dump.utf8))
        let names = (decoded.command.arguments ?? []).flatMap { $0.names ?? [] }.filter { $0.kind == "long" }.map(\.name)
        return Set(names).subtracting(["help", "version"])
    }

    @Test func knowsEveryOptionOfBothCommands() throws {
        #expect(try Self.definedNames(LoginAWSCommand._dumpHelp()) == Set(HotPath.loginAWSNames))
        #expect(try Self.definedNames(CredentialProcessCommand.AWS._dumpHelp()) == Set(HotPath.credentialProcessAWSNames))
        #expect(try Self.definedNames(IdpTokenCommand._dumpHelp()) == Set(HotPath.idpTokenNames))
        #expect(try Self.definedNames(AdapterLoginCommand<AzureLogin>._dumpHelp()) == Set(HotPath.adapterLoginNames))
        #expect(Set(HotPath.flagsLoginAdapters.compactMap { $0.descriptor.loginCommand })
            == Set(LoginCommand.configuration.subcommands.compactMap { $0.configuration.commandName }).subtracting(["aws", "providers"]))
    }

    @Test func adapterLoginReadsWhatArgumentParserReads() throws {
        let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47", client = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"
        let azure: [[String]] = [
            ["--tenant-id", tenant, "--client-id", client],
            ["--tenant-id=\(tenant)", "--output", "json", "--client-id", client, "--verbose", "--audience", "api://AzureADTokenExchangeUSGov"],
            ["--client-id", client, "--tenant-id", "contoso.onmicrosoft.com", "--token-file", "/tmp/t", "--federated-token-file", "/tmp/f",
             "--min-remaining", "5m", "--source=file", "--config", Self.config, "--max-attempts", "2", "--max-attempts", "3"],
            ["--tenant-id", tenant, "--client-id", client, "--output=env", "--token-command", "echo {audience}", "--source", "command",
             "--issuer", "https://i.example", "--token-timeout", "5s", "--scope", "https://vault.azure.net/.default"],
        ]
        for arguments in azure {
            let fast = try #require(HotPath.adapterLogin(AzureLogin.self, arguments), "\(arguments)")
            let parsed = try AdapterLoginCommand<AzureLogin>.parse(arguments)
            #expect(String(reflecting: fast) == String(reflecting: parsed), "\(arguments)")
        }
        let gcp = ["--workload-identity-provider", "projects/1/locations/global/workloadIdentityPools/pool/providers/prov",
                   "--scopes", "a", "--scopes=b", "--output", "access-token"]
        let fast = try #require(HotPath.adapterLogin(GCPLogin.self, gcp))
        #expect(String(reflecting: fast) == String(reflecting: try AdapterLoginCommand<GCPLogin>.parse(gcp)))
        let vault = ["--address", "http://127.0.0.1:8200", "--role", "ci", "--vault-token-file", "/tmp/v"]
        let vaultFast = try #require(HotPath.adapterLogin(VaultLogin.self, vault))
        #expect(String(reflecting: vaultFast) == String(reflecting: try AdapterLoginCommand<VaultLogin>.parse(vault)))
    }

    static let role = "arn:aws:iam::123456789012:role/deploy"

    /// An empty but valid config file.
    static let config: String = {
        let path = NSTemporaryDirectory() + "broker-hotpath-\(UUID().uuidString).json"
        FileManager.default.createFile(atPath: path, contents: Data(#"{"version": 1}"#.utf8))
        return path
    }()

    /// Every option at least once, in both spellings, repeated where the last one wins.
    static let shared: [[String]] = [
        ["--role-arn", role],
        ["--role-arn=\(role)", "--audience", "aud", "--role-session-name", "s1", "--duration-seconds", "900"],
        ["--role-arn", role, "--region", "eu-west-1", "--sts-endpoint", "http://127.0.0.1:1", "--max-attempts=2", "--timeout", "3s"],
        ["--role-arn", role, "--policy-arn", "arn:aws:iam::aws:policy/A", "--policy-arn=arn:aws:iam::aws:policy/B"],
        ["--role-arn", role, "--token-file", "/tmp/t", "--token-timeout", "5s", "--issuer", "https://i.example", "--config", config],
        ["--role-arn", role, "--source", "env", "--token-env", "TOKEN"],
        ["--role-arn", role, "--token-command", "echo {audience}", "--source", "command"],
        ["--role-arn", "arn:aws:iam::111111111111:role/first", "--role-arn", role, "--audience=sts.example"],
        ["--role-to-assume", role, "--aws-region", "eu-west-1", "--duration-seconds", "1h"],
    ]

    @Test func loginReadsWhatArgumentParserReads() throws {
        let extra: [[String]] = [[], ["--profile", "ci", "--mode", "web-identity", "--output", "json"], ["--output=env", "--mode", "static", "--overwrite"]]
        for arguments in Self.shared {
            for more in extra {
                let all = arguments + more
                let values = try #require(FlagValues(all, flags: HotPath.bareFlags), "\(all)")
                let fast = try #require(HotPath.loginAWS(values), "\(all)")
                let parsed = try LoginAWSCommand.parse(all)
                #expect(String(reflecting: fast) == String(reflecting: parsed), "\(all)")
            }
        }
    }

    @Test func credentialProcessReadsWhatArgumentParserReads() throws {
        for arguments in Self.shared + [["--role-arn", Self.role, "--profile-cache", "team"]] {
            let values = try #require(FlagValues(arguments), "\(arguments)")
            let fast = try #require(HotPath.credentialProcessAWS(values), "\(arguments)")
            let parsed = try CredentialProcessCommand.AWS.parse(arguments)
            #expect(String(reflecting: fast) == String(reflecting: parsed), "\(arguments)")
        }
    }

    @Test func idpTokenReadsWhatArgumentParserReads() throws {
        let cases: [[String]] = [
            ["--audience", "sts.amazonaws.com"],
            ["--audience=a", "--audience", "b", "--decode", "--lifetime", "15m", "--subject", "repo:o/r"],
            ["--decode", "--audience", "a", "--claim", "team=x", "--claim=env=prod", "--issuer", "https://i.example"],
            ["--audience", "a", "--algorithm", "ES256", "--config", Self.config, "--decode", "--decode"],
        ]
        for arguments in cases {
            let values = try #require(FlagValues(arguments, flags: ["decode"]), "\(arguments)")
            let fast = try #require(HotPath.idpToken(values), "\(arguments)")
            let parsed = try IdpTokenCommand.parse(arguments)
            #expect(String(reflecting: fast) == String(reflecting: parsed), "\(arguments)")
        }
    }

    @Test(arguments: [
        ["idp", "token", "--decode"], ["idp", "token", "--audience", "a", "--decode=yes"], ["idp", "token", "--audience", ""],
        ["idp", "token", "--audience", "a", "--lifetime", "1s"], ["idp", "token", "--audience", "a", "--claim", "iss=x"],
        ["idp", "token", "--audience", "a", "--role-arn", "x"], ["login", "aws", "--role-arn", role, "--decode"],
        ["login", "aws", "--help"], ["login", "aws", "-h", "--role-arn", role], ["login", "aws", "--role-arn"],
        ["login", "aws", "--role-arn", role, "--unknown", "x"],
        ["login", "aws", "--role-arn", role, "--profile-cache", "x"], ["login", "aws", "--role-arn", role, "extra"],
        ["login", "aws", "--role-arn", role, "--role-session-name", "-x"], ["login", "aws", "--role-arn", role, "--", "x"],
        ["login", "aws", "--role-arn", role, "--output", "yaml"],
        ["login", "aws", "--role-arn", role, "--token-file", "a", "--token-env", "B"],
        ["credential-process", "aws", "--role-arn", role, "--profile", "x"], ["login", "gcp", "--role-arn", role],
        ["status", "aws", "--role-arn", role], ["login", "aws"],
        ["login", "azure", "--help"], ["login", "azure", "--tenant-id"], ["login", "azure", "--tenant-id", "t", "--verbose=yes"],
        ["login", "azure", "--tenant-id", "t", "positional"], ["login", "azure", "--tenant-id", "t", "--tenant", "x"],
        ["login", "azure", "--tenant-id", "t", "--max-attempts", "-1"], ["login", "gcp", "--output", "yaml"],
        ["login", "vault", "--role", "r", "--min-remaining", "soon"], ["login", "azure", "--tenant-id", "t", "--", "x"],
    ])
    func handsEverythingElseBack(_ arguments: [String]) {
        #expect(HotPath.parse(arguments) == nil)
    }

    /// Settings that need the config (a role ARN, a duration, the config file itself) are
    /// checked in run(), which loads the config once, whichever path parsed the flags: the
    /// hot path may take them, and run() refuses them with the same exit 2.
    @Test(arguments: [
        ["login", "aws", "--role-arn", "deploy"], ["login", "aws", "--role-arn", role, "--duration-seconds", "many"],
        ["login", "aws", "--role-arn", role, "--duration-seconds", "60"], ["login", "aws", "--role-arn", role, "--audience="],
        ["login", "aws", "--role-arn", role, "--config", "/nonexistent/broker.json"],
    ])
    func settingsProblemsAreRunsUsageErrors(_ arguments: [String]) async throws {
        let command = try #require(HotPath.parse(arguments) as? LoginAWSCommand)
        await #expect(throws: BrokerError.self) { try await command.run() }
    }
}

@Suite struct DoctorRedactionTests {
    @Test(arguments: [
        ("http://user:s3cret@proxy:3128", "http://***@proxy:3128"),
        ("user:s3cret@proxy:3128", "***@proxy:3128"),
        ("http://proxy:3128", "http://proxy:3128"),
    ])
    func proxyPasswordsAreHidden(_ url: String, _ shown: String) {
        #expect(DoctorCommand.redacted(url) == shown)
    }
}
