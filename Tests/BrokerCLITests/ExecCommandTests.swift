@testable import broker
import Testing

@Suite struct ExecCommandTests {
    /// argument-parser hands the words after `--` over as more positionals; the split puts them
    /// back where the user wrote them, a second `--` and option-like words included.
    @Test func wordsAfterTheFirstTerminatorAreTheCommand() {
        let arguments = ["broker", "exec", "--verbose", "aws", "vault", "--", "git", "log", "--", "-x"]
        let split = ExecCommand.split(["aws", "vault", "git", "log", "--", "-x"], arguments: arguments)
        #expect(split.names == ["aws", "vault"] && split.command == ["git", "log", "--", "-x"])
        #expect(ExecCommand.split(["cmd"], arguments: ["broker", "exec", "--all", "--", "cmd"]) == (names: [], command: ["cmd"]))
        #expect(ExecCommand.split(["aws"], arguments: ["broker", "exec", "aws"]) == (names: ["aws"], command: []))
    }

    @Test func validationNeedsProvidersAndACommand() throws {
        #expect(throws: (any Error).self) { try ExecCommand.parse(["--all", "aws"]) }
        #expect(throws: (any Error).self) { try ExecCommand.parse([]) }
    }
}
