import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange with a timeout. Retry policy lives with the caller, which knows which
/// answers are worth another try.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public var timeout: TimeInterval
    public init(timeout: TimeInterval = 10) { self.timeout = timeout }

    public func send(_ request: URLRequest) async throws -> Response {
        var request = request
        // FoundationNetworking truncates to whole seconds (0.6 s fails at once); callers that
        // need a sharper limit race it with `withTimeout`.
        let seconds = max(1, timeout.rounded(.up))
        request.timeoutInterval = seconds
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else {
            throw BrokerError.failure("\(request.url?.absoluteString ?? "?") did not answer over HTTP")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return Response(status: http.statusCode, headers: headers, body: data)
    }

    /// GET a JSON document, failing with the URL named on any transport error or non-2xx.
    public func getJSON<T: Decodable>(_ url: String, as type: T.Type, what: String) async throws -> T {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            throw BrokerError.usage("\(what): '\(url)' is not an http(s) URL")
        }
        let response: Response
        do {
            response = try await send(URLRequest(url: target))
        } catch let error as BrokerError {
            throw error
        } catch {
            throw BrokerError.failure("\(what): cannot fetch \(url): \(error.localizedDescription)")
        }
        guard (200..<300).contains(response.status) else {
            throw BrokerError.failure("\(what): \(url) answered HTTP \(response.status)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw BrokerError.failure("\(what): \(url) did not return the expected JSON: \(error)")
        }
    }
}
