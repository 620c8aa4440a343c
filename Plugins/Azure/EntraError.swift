import BrokerCore
import Foundation

/// Entra ID's error answer: RFC 6749's members plus its own (`error_codes`, `trace_id`,
/// `correlation_id`, `timestamp`), which Microsoft support asks for.
public struct EntraError: Decodable, Sendable, Equatable {
    public var error: String?
    public var error_description: String?
    public var error_codes: [Int]?
    public var trace_id: String?
    public var correlation_id: String?
    public var timestamp: String?

    /// Reads the answer of a refused request; nil when it is not Entra's JSON.
    public static func read(_ body: Data) -> EntraError? {
        guard let answer = try? JSONDecoder().decode(EntraError.self, from: body), answer.error != nil || answer.error_codes != nil else { return nil }
        return answer
    }

    /// The first AADSTS code: from `error_codes`, else from the description's `AADSTSnnnn:` prefix.
    public var code: Int? {
        if let first = error_codes?.first { return first }
        guard let description = error_description, description.hasPrefix("AADSTS") else { return nil }
        return Int(description.dropFirst(6).prefix { $0.isNumber })
    }

    /// The description without the trace/correlation/timestamp tail Entra appends (shown on
    /// lines of their own) and at most 500 characters.
    public var message: String? {
        guard var text = error_description else { return nil }
        if let tail = text.range(of: "\r\nTrace ID:") ?? text.range(of: "\nTrace ID:") ?? text.range(of: " Trace ID:") {
            text = String(text[..<tail.lowerBound])
        }
        text = text.trimmingWhitespace
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}
