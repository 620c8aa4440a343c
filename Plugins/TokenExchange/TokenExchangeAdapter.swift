import BrokerCore
import Foundation

/// Registers `token-exchange` (RFC 8693) with the core.
public enum TokenExchangeAdapter {
    public static let keys: [SettingKey] = [
        SettingKey("tokenUrl", .string, required: true, pattern: SettingKey.urlPattern, help: "the OAuth 2.0 token endpoint"),
        SettingKey("exchangeAudience", .string, help: "RFC 8693 audience parameter (the entry's audience is the identity token's)"),
        SettingKey("resource", .string, help: "RFC 8693 resource parameter"),
        SettingKey("scope", .string, help: "space-separated scopes"),
        SettingKey("requestedTokenType", .oneOf(tokenTypeValues), help: "default access_token"),
        SettingKey("subjectTokenType", .oneOf(tokenTypeValues), help: "default jwt"),
        SettingKey("clientId", .string, help: "OAuth client id"),
        SettingKey("clientAuth", .oneOf(TokenExchangeSettings.ClientAuth.allCases.map(\.rawValue)), help: "none, basic or post"),
        SettingKey("clientSecretEnv", .string, help: "environment variable holding the client secret"),
        SettingKey("clientSecretFile", .string, help: "file holding the client secret"),
        SettingKey("outputFile", .string, help: "where the issued token goes (0600; default $BROKER_HOME/tokens/NAME)"),
        SettingKey("envVariable", .string, help: "variable that --output env/github exports the token as"),
        SettingKey("timeout", .duration, range: 1 ... 600, help: "timeout of the exchange, 1s to 10m (default 10s)"),
    ]

    static let tokenTypeValues = TokenExchangeSettings.tokenTypes + TokenExchangeSettings.tokenTypes.map { TokenExchangeSettings.tokenTypePrefix + $0 }

    public static let descriptor = AdapterDescriptor(
        adapter: "token-exchange",
        summary: "RFC 8693 OAuth 2.0 token exchange; writes the issued token to a file",
        defaultAudience: nil,
        keys: keys,
        target: { block, context in block.string("outputFile").map { "the token file \(HomePath.expand($0, home: context.home))" } },
        make: { entry, context in
            TokenExchangeProvider(settings: try TokenExchangeSettings(block: entry.settings, name: entry.name, context: context),
                                  audience: entry.audience, environment: context.environment,
                                  transport: context.transport)
        },
        logout: { record, _ in try record.undoFiles() },
        ownedDirectories: ["tokens"],
        trustConcerns: { entry, _ in ["sends the token to \(entry.settings.string("tokenUrl") ?? "its tokenUrl")"] })
}
