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
        Terminal.output("config: \(runtime.configLocation?.description ?? "none found (built-in defaults)")")
        Terminal.output("providers: \(runtime.config.providers.isEmpty ? "none" : runtime.config.providers.map { "\($0.name) (\($0.adapter))" }.joined(separator: ", "))")
        Terminal.output("broker home: \(runtime.brokerHome.path)")
        do {
            let choice = try source.makeSource(runtime: runtime)
            Terminal.output("token source: \(choice.source.name)")
            Terminal.output("because: \(choice.reason)")
        } catch let error as BrokerError {
            // A CI job whose platform cannot issue tokens: say so and how to fix it.
            Terminal.output("token source: none")
            Terminal.output("because: \(error.message)")
            if let hint = error.hint { Terminal.output("fix: \(hint)") }
            throw ExitFailure(code: error.exitCode)
        }
    }
}
