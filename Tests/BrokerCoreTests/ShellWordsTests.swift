import BrokerCore
import Testing

@Suite struct ShellWordsTests {
    @Test func splitsLikeAShell() throws {
        #expect(try ShellWords.split("gp idp token --audience 'a b'") == ["gp", "idp", "token", "--audience", "a b"])
        #expect(try ShellWords.split(#"cmd "x \"y\"" z\ w"#) == ["cmd", #"x "y""#, "z w"])
        #expect(try ShellWords.split("  a   b  ") == ["a", "b"])
        #expect(try ShellWords.split("a '' b") == ["a", "", "b"])
    }

    @Test func rejectsUnterminatedQuotes() {
        #expect(throws: BrokerError.self) { try ShellWords.split("a 'b") }
    }

    @Test func quoteRoundTrips() throws {
        for word in ["plain", "with space", "it's", "$HOME", ""] {
            #expect(try ShellWords.split("x " + ShellWords.quote(word)) == ["x", word])
        }
    }
}
