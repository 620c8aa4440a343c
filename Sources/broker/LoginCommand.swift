import ArgumentParser

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Exchange an identity token for cloud credentials and write them where the cloud's tools look.",
        subcommands: [LoginAWSCommand.self]
    )
}
