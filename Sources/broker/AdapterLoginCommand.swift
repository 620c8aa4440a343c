import ArgumentParser
import AzureProvider
import BrokerCore
import Foundation
import GCPProvider
import VaultProvider

/// An adapter that `broker login <its loginCommand>` serves from flags alone.
protocol FlagsLoginAdapter {
    static var descriptor: AdapterDescriptor { get }
}

enum VaultLogin: FlagsLoginAdapter { static var descriptor: AdapterDescriptor { VaultAdapter.descriptor } }
enum GCPLogin: FlagsLoginAdapter { static var descriptor: AdapterDescriptor { GCPAdapter.descriptor } }
enum AzureLogin: FlagsLoginAdapter { static var descriptor: AdapterDescriptor { AzureAdapter.descriptor } }

/// `broker login <adapter> --<setting> value ...`: one provider from flags, each a setting of
/// the adapter in kebab case (`tokenFile` is `--token-file`), over the config entry of the same
/// name when there is one (as `login aws` does). It runs as `login NAME` does: same source
/// choice, state, outputs and exit codes. A new adapter needs one line here and in `LoginCommand`.
struct AdapterLoginCommand<Adapter: FlagsLoginAdapter>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        let descriptor = Adapter.descriptor
        let command = descriptor.loginCommand!
        let settings = descriptor.keys.filter { $0.kind != .object }.map { key in
            "  --\(key.flag)\(key.kind == .boolean ? "" : " <value>")\(key.required ? " (required)" : ""): \(key.help)"
        }
        return CommandConfiguration(
            commandName: command,
            abstract: descriptor.summary + " (from flags; a config entry named \"\(command)\" gives defaults).",
            discussion: "Settings (the \(descriptor.adapter) config keys in kebab case; flags override the entry):\n"
                + settings.joined(separator: "\n"))
    }

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The adapter's settings as --name value (listed below).", valueName: "settings"))
    var settings: [String] = []

    @Option(help: "Audience of the identity token (default: the entry's, else the adapter's).")
    var audience: String?

    @OptionGroup var options: ConfigLoginOptions

    func validate() throws {
        _ = try validating { try SettingFlags.values(settings, keys: Adapter.descriptor.keys) }
    }

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: options.configOption.config)
        runtime.noteConfig()
        try runtime.requireTrust()
        try await LoginSummary.run([try entry(runtime.config)], runtime: runtime, options: options)
    }

    /// The config entry named like the command (if any) with the flags laid over it.
    func entry(_ config: BrokerConfig) throws -> ProviderEntry {
        let descriptor = Adapter.descriptor
        let name = descriptor.loginCommand!
        let flags = try SettingFlags.values(settings, keys: descriptor.keys)
        let base = config.providers.first { $0.name == name && $0.adapter == descriptor.adapter }
        let block = (base?.settings ?? SettingsBlock([:], path: "providers.\(name)")).overlaid(withFlags: flags, keys: descriptor.keys)
        for key in descriptor.keys where key.required && block.values[key.name] == nil {
            throw BrokerError.usage("--\(key.flag) is required (or a \"\(name)\" entry in the config)", hint: key.help)
        }
        try block.check(against: descriptor.keys)
        guard let audience = audience ?? base?.audience ?? descriptor.defaultAudience(for: block) else {
            throw BrokerError.usage("--audience is required for \(descriptor.adapter)")
        }
        return ProviderEntry(name: name, adapter: descriptor.adapter, audience: audience, settings: block, export: true)
    }
}
