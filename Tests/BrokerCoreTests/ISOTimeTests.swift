@testable import BrokerCore
import Foundation
import Testing

/// The hand-written ISO 8601 code against Foundation's own format style as the oracle.
@Suite struct ISOTimeTests {
    @Test func formatsLikeFoundationAcrossFourCenturies() {
        var generator = SystemRandomNumberGenerator()
        let samples = (0..<3000).map { _ in Double.random(in: -2_208_988_800...7_258_118_400, using: &generator) }
            + [0, -1, 86_399, 86_400, 951_782_400, 1_795_747_614.999, 4_107_542_400]  // epoch edges, 2000-02-29, 2100-03-01
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let expected = Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(Date.ISO8601FormatStyle())
            #expect(ISOTime.format(date) == expected, "\(seconds)")
            #expect(ISOTime.parse(expected) == Date(timeIntervalSince1970: seconds.rounded(.down)), "\(expected)")
        }
    }

    @Test func parsesFractionsAndOffsets() {
        let base = Date(timeIntervalSince1970: 1_795_750_014)
        #expect(ISOTime.parse("2026-11-27T03:26:54Z") == base)
        #expect(ISOTime.parse("2026-11-27T03:26:54.250Z") == base.addingTimeInterval(0.25))
        #expect(ISOTime.parse("2026-11-27T05:26:54+02:00") == base)
        #expect(ISOTime.parse("2026-11-26T22:56:54-0430") == base)
        for text in ["2026-11-27T03:26:54.250Z", "2026-11-27T05:26:54+02:00"] {
            #expect(ISOTime.parse(text) == (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")))))
        }
    }

    @Test(arguments: ["", "2026-11-27", "2026-11-27T03:26:54", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                      "2026-11-27T24:00:00Z", "2026-11-27T03:60:00Z", "2026-11-27 03:26:54Z", "2026-11-27T03:26:54.Z",
                      "2026-11-27T03:26:54Zjunk", "２026-11-27T03:26:54Z", "2026-11-27T03:26:54+2"])
    func refusesMalformed(_ text: String) {
        #expect(ISOTime.parse(text) == nil)
    }
}
