import ArgumentParser
import AWSProvider
import BrokerCore
import BrokerIssuer

/// The commands run over and over, `login aws` and `login gcp|azure|vault` (every CI job),
/// `credential-process aws` (every SDK client start) and `idp token`, read without argument-parser's machinery: its
/// first parse in a process reflects over the command's types, about 5 ms of a 20 ms
/// `credential_process` answer. Only plain `--name value` / `--name=value` options
/// are read here, into the same option structs; anything else (help, a short flag, a value
/// that does not convert, a validation error) gives nil, and argument-parser parses the
/// arguments again so messages and usage read as always.
///
/// HotPathTests hold the tables below to the commands' own definitions: the same option
/// names, and the same parsed values for every option.
enum HotPath {
    static var loginAWSNames: [String] { AWSFlags.names + SourceFlags.names + ["config", "profile", "mode", "output", "overwrite"] }
    static var credentialProcessAWSNames: [String] { AWSFlags.names + SourceFlags.names + ["config", "settings", "profile-cache"] }
    /// Options that take no value.
    static let bareFlags: Set<String> = ["decode", "overwrite"]
    static let idpTokenNames = ["audience", "decode", "lifetime", "subject", "claim", "issuer", "algorithm", "config"]
    /// `login <adapter>`'s own options; every other `--name` is one of the adapter's settings.
    static var adapterLoginNames: [String] { SourceFlags.names + ["audience", "min-remaining", "output", "verbose", "config"] }
    static let flagsLoginAdapters: [any FlagsLoginAdapter.Type] = [GCPLogin.self, AzureLogin.self, VaultLogin.self]

    static func parse(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> (any AsyncParsableCommand)? {
        // `login aws` first: the other adapters' descriptors are not built for it.
        if arguments.count > 2, arguments[0] == "login", arguments[1] != "aws",
           let adapter = flagsLoginAdapters.first(where: { $0.descriptor.loginCommand == arguments[1] }) {
            return anyAdapterLogin(adapter, Array(arguments.dropFirst(2)))
        }
        guard arguments.count > 2, let values = FlagValues(Array(arguments.dropFirst(2)), flags: bareFlags) else { return nil }
        switch (arguments[0], arguments[1]) {
        case ("login", "aws"): return loginAWS(values)
        case ("credential-process", "aws"): return credentialProcessAWS(values)
        case ("idp", "token"): return idpToken(values)
        default: return nil
        }
    }

    static func idpToken(_ values: FlagValues) -> IdpTokenCommand? {
        // `--decode=yes` lands among the values: argument-parser's error to report.
        guard values.only(idpTokenNames), values.last("decode") == nil else { return nil }
        var command = IdpTokenCommand()
        command.audiences = values.all("audience")
        command.decode = values.flag("decode")
        command.lifetime = values.last("lifetime")
        command.subject = values.last("subject")
        command.claims = values.all("claim")
        var issuer = IssuerOptions()
        issuer.issuerURL = values.last("issuer")
        let algorithm = values.last("algorithm")
        issuer.algorithm = algorithm.flatMap(SigningAlgorithm.init(argument:))
        guard algorithm == nil || issuer.algorithm != nil else { return nil }
        issuer.configOption = config(values)
        command.issuerOptions = issuer
        return validated(command, groups: [])
    }

    static func loginAWS(_ values: FlagValues) -> LoginAWSCommand? {
        var command = LoginAWSCommand()
        guard values.only(loginAWSNames), let aws = AWSFlags.read(values), let source = SourceFlags.read(values) else { return nil }
        command.aws = aws
        command.source = source
        command.configOption = config(values)
        command.profile = values.last("profile")
        let mode = values.last("mode"), output = values.last("output")
        command.mode = mode.flatMap(AWSSettings.Mode.init(rawValue:))
        command.output = output.flatMap(OutputFormat.init(argument:)) ?? .text
        guard mode == nil || command.mode != nil, output == nil || OutputFormat(argument: output!) != nil else { return nil }
        command.overwrite = values.flag("overwrite")
        guard values.last("overwrite") == nil else { return nil }
        return validated(command, groups: [source])
    }

    /// `login gcp|azure|vault`: the command's own options are read as for `login aws`; the
    /// adapter's settings are passed on as words, which the command itself checks (as it does
    /// when argument-parser hands them over as unrecognized arguments).
    static func adapterLogin<Adapter: FlagsLoginAdapter>(_: Adapter.Type, _ words: [String]) -> AdapterLoginCommand<Adapter>? {
        let booleans = Set(Adapter.descriptor.keys.filter { $0.kind == .boolean }.flatMap(\.flagNames) + ["verbose"])
        var own: [String] = [], settings: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            guard word.hasPrefix("--"), word.count > 2 else { return nil }
            let name = String(word.dropFirst(2).prefix { $0 != "=" })
            var group = [word]
            if !word.contains("="), !booleans.contains(name) {
                guard index + 1 < words.count, !words[index + 1].hasPrefix("-") else { return nil }
                group.append(words[index + 1])
            }
            if adapterLoginNames.contains(name) { own += group } else { settings += group }
            index += group.count
        }
        guard let values = FlagValues(own, flags: ["verbose"]), values.last("verbose") == nil, let source = SourceFlags.read(values) else { return nil }
        var options = ConfigLoginOptions()
        options.minRemaining = values.last("min-remaining")
        let output = values.last("output")
        options.output = output.flatMap(OutputFormat.init(argument:)) ?? .text
        guard output == nil || OutputFormat(argument: output!) != nil else { return nil }
        options.verbose = values.flag("verbose")
        options.source = source
        options.configOption = config(values)
        var command = AdapterLoginCommand<Adapter>()
        command.settings = settings
        command.audience = values.last("audience")
        command.options = options
        return validated(command, groups: [source, options])
    }

    private static func anyAdapterLogin<Adapter: FlagsLoginAdapter>(_ adapter: Adapter.Type, _ words: [String]) -> (any AsyncParsableCommand)? {
        adapterLogin(adapter, words)
    }

    static func credentialProcessAWS(_ values: FlagValues) -> CredentialProcessCommand.AWS? {
        var command = CredentialProcessCommand.AWS()
        guard values.only(credentialProcessAWSNames), let aws = AWSFlags.read(values), let source = SourceFlags.read(values) else {
            return nil
        }
        command.aws = aws
        command.source = source
        command.configOption = config(values)
        command.settings = values.last("settings")
        command.profileCache = values.last("profile-cache")
        return validated(command, groups: [source])
    }

    private static func config(_ values: FlagValues) -> ConfigOption {
        var option = ConfigOption()
        option.config = values.last("config")
        return option
    }

    /// argument-parser validates option groups and then the command; so does this.
    private static func validated<Command: ParsableArguments>(_ command: Command, groups: [any ParsableArguments]) -> Command? {
        var command = command
        do {
            for var group in groups { try group.validate() }
            try command.validate()
            return command
        } catch {
            return nil
        }
    }

    /// AWSOptions from its settings' flags (names and aliases from `AWSAdapter.keys`).
    private enum AWSFlags {
        static var names: [String] { AWSOptions.names }

        static func read(_ values: FlagValues) -> AWSOptions? {
            var options = AWSOptions()
            for field in AWSOptions.fields {
                // One option under two names: when both are given, argument-parser keeps the later.
                let given = field.key.flagNames.compactMap(values.last)
                guard given.count <= 1 else { return nil }
                field.set(&options, given.first)
            }
            for field in AWSOptions.repeatedFields {
                guard field.key.flagAliases.isEmpty else { return nil }
                field.set(&options, values.all(field.key.flag))
            }
            return options
        }
    }

    private enum SourceFlags {
        static let names = ["source", "token-file", "token-env", "token-command", "token-timeout", "issuer"]

        static func read(_ values: FlagValues) -> TokenSourceOptions? {
            var options = TokenSourceOptions()
            // Every option is assigned (nil too), as argument-parser leaves them.
            let source = values.last("source")
            options.source = source.flatMap(SourceType.init(rawValue:))
            guard source == nil || options.source != nil else { return nil }
            options.tokenFile = values.last("token-file")
            options.tokenEnv = values.last("token-env")
            options.tokenCommand = values.last("token-command")
            options.tokenTimeout = values.last("token-timeout")
            options.issuerURL = values.last("issuer")
            return options
        }
    }
}

/// `--name value` and `--name=value` pairs, each name's values in order, and bare `--flag`s
/// for the names in `flags`. nil for anything else: positional words, short flags, `--`, or
/// a value that looks like another option.
struct FlagValues {
    private var values: [String: [String]] = [:]
    private var bare: Set<String> = []

    init?(_ arguments: [String], flags: Set<String> = []) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            guard word.hasPrefix("--"), word.count > 2 else { return nil }
            let body = word.dropFirst(2)
            if flags.contains(String(body)) {
                bare.insert(String(body))
                index += 1
            } else if let equals = body.firstIndex(of: "=") {
                values[String(body[..<equals]), default: []].append(String(body[body.index(after: equals)...]))
                index += 1
            } else {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-") else { return nil }
                values[String(body), default: []].append(arguments[index + 1])
                index += 2
            }
        }
    }

    func only(_ names: [String]) -> Bool { values.keys.allSatisfy(names.contains) && bare.allSatisfy(names.contains) }
    func flag(_ name: String) -> Bool { bare.contains(name) }
    func last(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
}
