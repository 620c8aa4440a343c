import ArgumentParser

struct IdpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idp",
        abstract: "The embedded OIDC issuer: mint, publish, serve and verify identity tokens.",
        subcommands: [
            IdpTokenCommand.self, IdpDiscoveryCommand.self, IdpJWKSCommand.self, IdpPublishCommand.self,
            IdpServeCommand.self, IdpRotateKeyCommand.self, IdpInitTransitCommand.self, IdpVerifyCommand.self, IdpRequestTokenCommand.self,
            IdpBenchSignCommand.self,
        ]
    )
}
