import Foundation

/// `/metrics` in Prometheus' text format: requests by path and status, the signing latency
/// histogram, and backend errors.
final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var backendErrors = 0
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private var buckets = [Int](repeating: 0, count: bounds.count)
    private var signings = 0
    private var signingSeconds = 0.0

    func countRequest(path: String, status: Int) {
        lock.withLock { requests["path=\(Self.quoted(path)),status=\"\(status)\"", default: 0] += 1 }
    }

    func countBackendError() { lock.withLock { backendErrors += 1 } }

    func observeSigning(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        lock.withLock {
            signings += 1
            signingSeconds += seconds
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { buckets[index] += 1 }
        }
    }

    func exposition() -> String {
        lock.withLock {
            var lines = ["# HELP broker_issuer_requests_total Requests answered, by path and status.",
                         "# TYPE broker_issuer_requests_total counter"]
            lines += requests.keys.sorted().map { "broker_issuer_requests_total{\($0)} \(requests[$0]!)" }
            lines += ["# HELP broker_issuer_signing_seconds Time to sign one token (transit: the OpenBao call).",
                      "# TYPE broker_issuer_signing_seconds histogram"]
            for (index, bound) in Self.bounds.enumerated() {
                lines.append("broker_issuer_signing_seconds_bucket{le=\"\(bound)\"} \(buckets[index])")
            }
            lines += ["broker_issuer_signing_seconds_bucket{le=\"+Inf\"} \(signings)",
                      "broker_issuer_signing_seconds_sum \(signingSeconds)", "broker_issuer_signing_seconds_count \(signings)",
                      "# HELP broker_issuer_backend_errors_total Calls to the key or request-token backend that failed.",
                      "# TYPE broker_issuer_backend_errors_total counter", "broker_issuer_backend_errors_total \(backendErrors)"]
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// A label or logfmt value: quoted, with `\` and `"` escaped and newlines dropped.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ") + "\""
    }
}
