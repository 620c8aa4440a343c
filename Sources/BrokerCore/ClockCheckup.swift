import Foundation

/// The local clock against a server's `Date` header: tokens carry `iat`/`nbf`/`exp`, and a clock
/// that is off by minutes makes every cloud refuse them ("not yet valid", AADSTS700024).
public enum ClockCheckup {
    /// More than this is a failure (the clouds allow a few minutes of skew); a tenth of it a warning.
    public static let tolerance: TimeInterval = 300

    public static func check(url: URL, transport: any HTTPTransport, now: @Sendable () -> Date = Date.init) async -> HealthCheck {
        let sent = now()
        let response: HTTPClient.Response
        do {
            response = try await transport.send(HTTPRequest("GET", url: url), timeout: 5, caCertFile: nil)
        } catch {
            return HealthCheck("clock", .warn, "could not reach \(url.absoluteString) to compare clocks: \(error)",
                               advice: "pass --clock-url with a server this machine reaches")
        }
        let local = sent.addingTimeInterval(now().timeIntervalSince(sent) / 2)
        guard let header = response.headers.first(where: { $0.key.lowercased() == "date" })?.value, let server = parse(header) else {
            return HealthCheck("clock", .warn, "\(url.absoluteString) sent no Date header", advice: "pass --clock-url with another server")
        }
        let skew = local.timeIntervalSince(server)
        let said = "the local clock is \(DurationText.format(abs(skew))) \(skew >= 0 ? "ahead of" : "behind") \(url.host ?? url.absoluteString)"
        if abs(skew) > tolerance {
            return HealthCheck("clock", .fail, said, advice: "synchronise the clock (NTP: timedatectl set-ntp true); tokens look expired or not yet valid")
        }
        return HealthCheck("clock", abs(skew) > tolerance / 10 ? .warn : .ok, said + (abs(skew) > tolerance / 10 ? "" : " (within a few seconds)"),
                           advice: abs(skew) > tolerance / 10 ? "synchronise the clock before it drifts further (NTP)" : nil)
    }

    /// RFC 9110's IMF-fixdate, `Tue, 01 Dec 2026 04:15:00 GMT`.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
