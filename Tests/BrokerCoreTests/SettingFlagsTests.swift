import BrokerCore
import Testing

/// `broker login <adapter> --name value`: flags become the adapter's config keys, typed as the
/// config would hold them, and every mistake names the flag.
@Suite struct SettingFlagsTests {
    let keys = [
        SettingKey("address", .string, help: "the address"),
        SettingKey("tokenFile", .string, flag: "vault-token-file", help: ""),
        SettingKey("maxAttempts", .integer, range: 1 ... 20, help: ""),
        SettingKey("scopes", .stringArray, help: ""),
        SettingKey("headers", .stringMap, help: ""),
        SettingKey("overwrite", .boolean, help: ""),
        SettingKey("nested", .object, help: ""),
        SettingKey("region", .string, flagAliases: ["aws-region"], help: ""),
    ]

    @Test func flagsBecomeTypedConfigValues() throws {
        let values = try SettingFlags.values(["--address", "https://v", "--vault-token-file=/t", "--max-attempts", "3",
                                              "--scopes", "a", "--scopes=b", "--headers", "X-A=1=2", "--overwrite", "--aws-region", "eu-west-1"],
                                             keys: keys)
        #expect(values == ["address": .string("https://v"), "tokenFile": .string("/t"), "maxAttempts": .number(3),
                           "scopes": .array([.string("a"), .string("b")]), "headers": .object(["X-A": .string("1=2")]),
                           "overwrite": .bool(true), "region": .string("eu-west-1")])
        #expect(try SettingFlags.values(["--overwrite=false", "--address", "x", "--address", "y"], keys: keys)
                == ["overwrite": .bool(false), "address": .string("y")])
    }

    @Test(arguments: [
        (["--adress", "x"], "unknown option '--adress'"),
        (["--token-file", "x"], "unknown option '--token-file'"),
        (["--nested", "x"], "unknown option '--nested'"),
        (["address"], "unexpected argument 'address'"),
        (["--address"], "--address needs a value"),
        (["--address", "--overwrite"], "--address needs a value"),
        (["--headers", "=v"], "--headers: expected KEY=VALUE"),
        (["--overwrite=yes"], "--overwrite: expected true or false"),
    ])
    func mistakesNameTheFlag(_ words: [String], _ message: String) throws {
        let error = try #require(throws: BrokerError.self) { try SettingFlags.values(words, keys: keys) }
        #expect(error.kind == .usage && error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func aPastedTokenIsNotEchoedWhole() throws {
        let token = "eyJhbGciOiJSUzI1NiJ9." + String(repeating: "a", count: 200)
        for words in [[token], ["--overwrite=\(token)"], ["--headers", token]] {
            let error = try #require(throws: BrokerError.self) { try SettingFlags.values(words, keys: keys) }
            #expect(!error.description.contains(token) && error.message.contains("eyJhbGciOiJS…"))
        }
    }

    @Test func anInfiniteNumberStaysTextForTheCheckToName() throws {
        let values = try SettingFlags.values(["--max-attempts", "1e400"], keys: keys)
        #expect(values == ["maxAttempts": .string("1e400")])
    }

    @Test func aTypoGetsTheNearestFlag() throws {
        let error = try #require(throws: BrokerError.self) { try SettingFlags.values(["--adress", "x"], keys: keys) }
        #expect(error.hint == "did you mean '--address'?")
    }

    @Test func errorsAboutAFlagsValueNameTheFlagNotTheConfigPath() throws {
        let block = SettingsBlock(["address": .string("a")], path: "providers.vault", file: "broker.json")
            .overlaid(withFlags: ["maxAttempts": .number(99)], keys: keys)
        #expect(block.location("maxAttempts") == "--max-attempts" && block.location("address") == "broker.json: providers.vault.address")
        #expect(throws: BrokerError.self) { try block.check(against: keys) }
    }
}
