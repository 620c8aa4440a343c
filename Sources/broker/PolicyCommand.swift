import ArgumentParser
import AWSProvider
import BrokerCore
import Foundation

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check a cloud's trust policy against the token a login would send (offline), or generate one for it.",
        subcommands: [PolicyCheckCommand.self, PolicyGenerateCommand.self])
}

struct PolicyCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate a trust policy against a token; exit 0 allowed, 1 denied, 2 bad input.",
        subcommands: [PolicyCheckAWSCommand.self, PolicyCheckVaultCommand.self, PolicyCheckAzureCommand.self, PolicyCheckGCPCommand.self])
}

struct PolicyGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Print a minimal trust policy for a token's issuer, audience and subject.",
        subcommands: [PolicyGenerateAWSCommand.self, PolicyGenerateVaultCommand.self, PolicyGenerateAzureCommand.self, PolicyGenerateGCPCommand.self])
}
