import ArgumentParser
import BrokerCore
import Foundation

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check, show and describe the JSON config.",
        subcommands: [Validate.self, Show.self, Schema.self, Trust.self])

    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Trust the config found from the working directory (or --config FILE) until it changes.",
            discussion: """
                A broker.json found from the working directory that runs commands (exec plugins, a token command) \
                or sends tokens to endpoints of its own is refused until trusted, like direnv's 'direnv allow'. \
                Trust is kept by path and content hash in $BROKER_HOME/trusted-configs.json.
                """)

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            guard let location = runtime.configLocation else {
                throw BrokerError.usage("no config file found to trust", hint: "run it where broker.json is, or pass --config FILE")
            }
            guard let contents = FileManager.default.contents(atPath: location.path) else {
                throw BrokerError.usage("cannot read \(location.path)")
            }
            try ConfigTrust(home: try runtime.brokerHome.prepare()).trust(path: location.path, contents: contents)
            let concerns = runtime.config.trustConcerns(registry: runtime.registry, environment: runtime.environment)
            Terminal.note("trusted \(location.path) (sha256 \(sha256Hex(contents).prefix(12))…) until it changes"
                + (concerns.isEmpty ? "" : "; it " + concerns.joined(separator: "; ")))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", abstract: "Validate the config; exit 2 with the JSON path of the first problem.")

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            guard let path = runtime.configPath else {
                throw BrokerError.usage("no config file found", hint: "pass --config FILE, set $BROKER_CONFIG, or create ./broker.json")
            }
            // Building each provider runs its own checks (role ARNs, durations, files).
            let context = runtime.context(sourceArguments: [])
            for entry in runtime.config.providers { _ = try runtime.registry.makeProvider(entry, context: context) }
            Terminal.note("\(path): valid (\(runtime.config.providers.count) providers: \(runtime.config.providers.map(\.name).joined(separator: ", ")))")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the resolved config: defaults filled in; secrets and values from variables redacted (--reveal shows them).")

        @OptionGroup var configOption: ConfigOption

        @Flag(help: "Show values from variables and secret-looking keys as they are.")
        var reveal = false

        func run() async throws {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            let raw = runtime.configPath.flatMap { FileManager.default.contents(atPath: $0) }.flatMap { try? StrictJSON.parse($0) }
            var providers: [String: JSONValue] = [:]
            for entry in runtime.config.providers {
                let descriptor = try runtime.registry.descriptor(for: entry.adapter, at: entry.name)
                var values = entry.settings.values.mapValues { $0 }
                values["adapter"] = .string(entry.adapter)
                values["audience"] = .string(entry.audience)
                let rawEntry = raw?.objectValue?["providers"]?.objectValue?[entry.name]
                providers[entry.name] = reveal ? .object(values)
                    : ConfigRedaction.redact(.object(values), raw: rawEntry, secretKeys: Set(descriptor.keys.filter(\.secret).map(\.name)))
            }
            let resolved: [String: JSONValue] = [
                "file": runtime.configPath.map(JSONValue.string) ?? .null,
                "version": .number(1),
                "source": reveal ? .object(runtime.config.source.values.isEmpty ? ["type": .string("auto")] : runtime.config.source.values)
                    : ConfigRedaction.redact(.object(runtime.config.source.values.isEmpty ? ["type": .string("auto")] : runtime.config.source.values),
                                             raw: raw?.objectValue?["source"]),
                "issuer": reveal ? .object(runtime.config.issuer.values)
                    : ConfigRedaction.redact(.object(runtime.config.issuer.values), raw: raw?.objectValue?["issuer"]),
                "providers": .object(providers),
            ]
            Terminal.output(try JSONOutput.string(resolved))
        }
    }

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print a JSON Schema of the config, covering every adapter (for editor completion).")

        func run() async throws {
            Terminal.output(try JSONOutput.string(ConfigSchema.document(registry: BrokerRuntime.registry)))
        }
    }
}
