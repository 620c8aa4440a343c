import BrokerCore
import Foundation

/// The one JSON shape `login aws`, `login NAME...` and `status` print with `--output json`.
/// It holds no secret but one: the bearer token a login issued for direct use (Google's access
/// token), as `gcloud auth print-access-token` prints it; `status` never has it. Other
/// credentials reach a process only through `--output env|github`, the files broker writes,
/// or `credential-process`.
struct LoginReport: Encodable {
    struct Row: Encodable {
        var name: String
        var adapter: String
        /// login: ok, failed or skipped; status: valid, expired or pending.
        var status: String
        var identity: String?
        var expiration: Date?
        var secondsLeft: Int?
        /// Non-secret facts (AWS: profile, mode, region).
        var details: [String: String]?
        var files: [WrittenTarget.Place]
        var error: String?
        /// A login's access token (Google), for `--output json` on stdout.
        var accessToken: String?

        init(name: String, adapter: String, status: String, identity: String? = nil, expiration: Date? = nil,
             details: [String: String]? = nil, files: [WrittenTarget.Place] = [], error: String? = nil, accessToken: String? = nil) {
            self.accessToken = accessToken
            self.name = name
            self.adapter = adapter
            self.status = status
            self.identity = identity
            self.expiration = expiration
            // An expiry can come from a token's `exp` (any number): clamped, never a trap.
            secondsLeft = expiration.map { Int(max(-1e15, min(1e15, $0.timeIntervalSinceNow.isNaN ? 0 : $0.timeIntervalSinceNow)).rounded(.down)) }
            self.details = details
            self.files = files
            self.error = error
        }
    }

    var ok: Bool
    var results: [Row]

    static func login(_ outcomes: [LoginRunner.Outcome]) -> LoginReport {
        LoginReport(ok: outcomes.allSatisfy(\.succeeded), results: outcomes.map { outcome in
            switch outcome.result {
            case .success(let result)?:
                Row(name: outcome.name, adapter: outcome.adapter, status: "ok", identity: result.credentials.identity,
                    expiration: result.credentials.expiration,
                    details: result.credentials.details.isEmpty ? nil : result.credentials.details, files: result.written.map(\.place),
                    accessToken: result.credentials.accessToken?.reveal)
            case .failure(let error)?:
                Row(name: outcome.name, adapter: outcome.adapter, status: "failed", error: "\(error)")
            case nil:
                Row(name: outcome.name, adapter: outcome.adapter, status: "skipped", error: outcome.skipped)
            }
        })
    }

    func print() throws { Terminal.output(try JSONOutput.string(self)) }
}
