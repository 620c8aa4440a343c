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
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the resolved config (variables expanded, secrets redacted).")

        @OptionGroup var configOption: ConfigOption

        func run() async throws {
            let runtime = try BrokerRuntime(configOption: configOption.config)
            var providers: [String: JSONValue] = [:]
            for entry in runtime.config.providers {
                let descriptor = try runtime.registry.descriptor(for: entry.adapter, at: entry.name)
                let secret = Set(descriptor.keys.filter(\.secret).map(\.name))
                var values = entry.settings.values.mapValues { $0 }
                for key in values.keys where secret.contains(key) { values[key] = .string("<redacted>") }
                values["adapter"] = .string(entry.adapter)
                values["audience"] = .string(entry.audience)
                providers[entry.name] = .object(values)
            }
            let resolved: [String: JSONValue] = [
                "file": runtime.configPath.map(JSONValue.string) ?? .null,
                "version": .number(1),
                "source": .object(runtime.config.source.values.isEmpty ? ["type": .string("auto")] : runtime.config.source.values),
                "issuer": .object(runtime.config.issuer.values),
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
