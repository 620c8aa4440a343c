import ArgumentParser
import BrokerCore
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Say which config, token source and issuer broker would use, and why.")

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        let runtime = try BrokerRuntime(configOption: configOption.config)
        Terminal.output("config: \(runtime.configPath ?? "none found (built-in defaults)")")
        Terminal.output("providers: \(runtime.config.providers.isEmpty ? "none" : runtime.config.providers.map { "\($0.name) (\($0.adapter))" }.joined(separator: ", "))")
        let choice = try source.makeSource(runtime: runtime)
        Terminal.output("token source: \(choice.source.name)")
        Terminal.output("because: \(choice.reason)")
        Terminal.output("broker home: \(runtime.brokerHome.path)")
    }
}
