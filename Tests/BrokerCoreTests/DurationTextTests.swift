import BrokerCore
import Foundation
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

    @Test(arguments: ["1000000000h", "9999999999999999h", "9223372036854775807", "99999999999999999999999s", "366d", "1d1d"])
    func hugeOrRepeatedValuesAreUsageErrorsNotTraps(_ text: String) {
        let error = #expect(throws: BrokerError.self) { try DurationText.parse(text, name: "--timeout") }
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains("--timeout") == true)
    }

    @Test func unitsGoLargestFirstEachOnce() throws {
        #expect(try DurationText.parse("1d2h3m4s", name: "x") == 93784)
        for text in ["1h1h1h", "30m1h", "1s1m"] {
            let error = #expect(throws: BrokerError.self) { try DurationText.parse(text, name: "--timeout") }
            #expect(error?.message.contains("repeats a unit") == true)
        }
    }

    @Test func rangesAreCheckedWhereTheValueIsRead() throws {
        #expect(try DurationText.parse("12h", name: "--lifetime", range: 60 ... 43200) == 43200)
        let error = #expect(throws: BrokerError.self) { try DurationText.parse("13h", name: "--lifetime", range: 60 ... 43200) }
        #expect(error?.message == "--lifetime: 13h is out of range")
        #expect(error?.hint == "it must be from 1m to 12h")
        for seconds in [1e19, -9.3e18, 1e300, .nan, .infinity, -1] {
            #expect(throws: BrokerError.self) { try DurationText.check(seconds: seconds, name: "timeout") }
        }
    }

    @Test func anyValueFormatsWithoutTrapping() {
        #expect(DurationText.format(1e300) == "more than 30,000 years")
        #expect(DurationText.format(.infinity) == "forever")
        #expect(DurationText.format(.nan) == "0s")
        #expect(DurationText.format(-1e300) == "0s")
        #expect(ISOTime.format(Date(timeIntervalSince1970: 1e300)) == "after the year 9999")
        #expect(ISOTime.format(Date(timeIntervalSince1970: -1e300)) == "before the year 1")
        #expect(ISOTime.format(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59Z")
    }
}
