import ArgumentParser
import BrokerCore
import Foundation

/// argument-parser reports a command's own `validate()` error ("--role-arn is required")
/// before an option it does not know (`--role_arn`), which sends users after the wrong
/// problem. When parsing fails, unknown subcommands and options are looked for first, from
/// the commands' own definitions, and reported with the nearest known name.
enum UnknownArguments {
    private struct Dump: Decodable { var command: Command }
    private struct Command: Decodable {
        var commandName: String
        var arguments: [Argument]?
        var subcommands: [Command]?
    }
    private struct Argument: Decodable { var names: [Name]?; var parsingStrategy: String? }
    private struct Name: Decodable { var kind: String; var name: String }

    /// The first unknown word in `arguments` (without the program name), described; nil when
    /// every subcommand and option is known.
    static func problem(in arguments: [String]) -> BrokerError? {
        guard let dump = try? JSONDecoder().decode(Dump.self, from: Data(Broker._dumpHelp().utf8)) else { return nil }
        var command = dump.command
        var path = ["broker"]
        var index = 0
        while index < arguments.count, let subcommands = command.subcommands, !subcommands.isEmpty {
            let word = arguments[index]
            if word.hasPrefix("-") { break }
            if let next = subcommands.first(where: { $0.commandName == word }) {
                command = next
                path.append(word)
                index += 1
                continue
            }
            // `login NAME...`: provider names go to the default subcommand.
            if command.commandName == "login", let providers = subcommands.first(where: { $0.commandName == "providers" }) {
                command = providers
                break
            }
            let names = subcommands.map(\.commandName).filter { $0 != "providers" }
            // A pasted token is not echoed whole.
            let shown = word.count > 40 ? word.prefix(12) + "…" : Substring(word)
            return BrokerError.usage("unknown command '\(shown)' for '\(path.joined(separator: " "))'",
                                     hint: (Suggestion.closest(to: word, among: names).map { "did you mean '\($0)'? " } ?? "")
                                        + "commands: \(names.joined(separator: ", "))")
        }
        // `login --all`: options, too, belong to the default subcommand.
        if command.commandName == "login", let providers = command.subcommands?.first(where: { $0.commandName == "providers" }) {
            command = providers
        }
        // A command that takes the unknown options itself (`login vault`'s settings) names them.
        if command.arguments?.contains(where: { $0.parsingStrategy == "allUnrecognized" }) == true { return nil }
        let known = Set((command.arguments ?? []).flatMap { $0.names ?? [] }.filter { $0.kind == "long" }.map(\.name) + ["help", "version"])
        for word in arguments[index...] {
            if word == "--" { break }
            guard word.hasPrefix("--"), word.count > 2 else { continue }
            let name = String(word.dropFirst(2).prefix { $0 != "=" })
            guard !known.contains(name) else { continue }
            let spelled = name.replacingOccurrences(of: "_", with: "-").lowercased()
            let suggestion = known.contains(spelled) ? spelled : Suggestion.closest(to: name, among: known.sorted())
            return BrokerError.usage("unknown option '--\(name)' for '\(path.joined(separator: " "))'",
                                     hint: suggestion.map { "did you mean '--\($0)'?" } ?? "see '\(path.joined(separator: " ")) --help'")
        }
        return nil
    }
}
