import BrokerCore
import Testing

@Suite struct DurationTextTests {
    @Test func parsesUnitsAndBareSeconds() throws {
        #expect(try DurationText.parse("90s", name: "x") == 90)
        #expect(try DurationText.parse("15m", name: "x") == 900)
        #expect(try DurationText.parse("1h", name: "x") == 3600)
        #expect(try DurationText.parse("1h30m", name: "x") == 5400)
        #expect(try DurationText.parse("120", name: "x") == 120)
    }

    @Test(arguments: ["", "1x", "h", "1.5h", "-5", "10m5"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: BrokerError.self) { try DurationText.parse(text, name: "--lifetime") }
    }

    @Test func errorNamesTheInput() {
        do {
            _ = try DurationText.parse("soon", name: "--lifetime")
            Issue.record("expected an error")
        } catch let error as BrokerError {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("--lifetime"))
            #expect(error.message.contains("soon"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func formatsCompactly() {
        #expect(DurationText.format(3600) == "1h")
        #expect(DurationText.format(5400) == "1h30m")
        #expect(DurationText.format(45) == "45s")
        #expect(DurationText.format(-3) == "0s")
    }
}
