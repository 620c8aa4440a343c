import BrokerCore
import Foundation

/// A network peer played from a script, one step per request, for in-process provider tests:
/// an answer (status, body, headers) or a transport fault. It keeps every request it was sent.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    public enum Step: Sendable {
        case answer(Int, String, [String: String] = [:])
        case fail(HTTPTransportError.Kind)
    }

    private let lock = NSLock()
    private var script: [Step]
    private let whenDone: Step
    private var sent: [HTTPRequest] = []

    /// `whenDone` answers every request after the script ran out.
    public init(_ script: [Step], whenDone: Step = .answer(500, "{}")) {
        self.script = script
        self.whenDone = whenDone
    }

    /// `(status, body)` answers only.
    public convenience init(_ answers: [(Int, String)]) {
        self.init(answers.map { .answer($0.0, $0.1) })
    }

    public var requests: [HTTPRequest] { lock.withLock { sent } }

    /// The form fields of request `index` (url-decoded).
    public func form(_ index: Int) -> [String: String] {
        let body = String(decoding: requests[index].body ?? Data(), as: UTF8.self)
        return body.split(separator: "&").reduce(into: [:]) { fields, pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval, caCertFile: String?) async throws -> HTTPClient.Response {
        let step: Step = lock.withLock {
            sent.append(request)
            return script.isEmpty ? whenDone : script.removeFirst()
        }
        switch step {
        case .answer(let status, let body, let headers): return HTTPClient.Response(status: status, headers: headers, body: Data(body.utf8))
        case .fail(let kind): throw HTTPTransportError(kind, target: request.url.absoluteString, seconds: timeout)
        }
    }
}
