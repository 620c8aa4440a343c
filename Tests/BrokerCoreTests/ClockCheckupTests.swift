import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

@Suite struct ClockCheckupTests {
    static let url = URL(string: "https://clock.example")!
    static let server = Date(timeIntervalSince1970: 1_796_100_000)  // Tue, 01 Dec 2026 04:40:00 GMT

    func check(localOffset: TimeInterval, date: String? = "Tue, 01 Dec 2026 04:40:00 GMT") async -> HealthCheck {
        let transport = ScriptedTransport([.answer(200, "", date.map { ["Date": $0] } ?? [:])])
        return await ClockCheckup.check(url: Self.url, transport: transport, now: { Self.server.addingTimeInterval(localOffset) })
    }

    @Test func skewIsMeasuredAgainstTheDateHeader() async {
        #expect(await check(localOffset: 2).status == .ok)
        let behind = await check(localOffset: -60)
        #expect(behind.status == .warn && behind.detail.contains("1m behind clock.example"))
        let ahead = await check(localOffset: 900)
        #expect(ahead.status == .fail && ahead.detail.contains("15m ahead of") && ahead.advice?.contains("NTP") == true)
        #expect(await check(localOffset: 0, date: nil).status == .warn)
        #expect(await check(localOffset: 0, date: "yesterday").status == .warn)
        let unreachable = await ClockCheckup.check(url: Self.url, transport: ScriptedTransport([.fail(.refused)]))
        #expect(unreachable.status == .warn && unreachable.advice?.contains("--clock-url") == true)
    }
}
