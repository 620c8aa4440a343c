import Foundation

/// The one error type users see. It says what failed, with which value, and what to do next;
/// `exitCode` keeps failures (1) apart from bad usage or configuration (2).
public struct BrokerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Bad flags, config or input: nothing was attempted. Exit 2.
        case usage
        /// The operation was attempted and failed (network, verification, files). Exit 1.
        case failure
    }

    public var kind: Kind
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public static func usage(_ message: String, hint: String? = nil) -> BrokerError {
        BrokerError(.usage, message, hint: hint)
    }

    public static func failure(_ message: String, hint: String? = nil) -> BrokerError {
        BrokerError(.failure, message, hint: hint)
    }

    public var exitCode: Int32 { kind == .usage ? 2 : 1 }

    public var description: String {
        guard let hint else { return message }
        return "\(message)\n  hint: \(hint)"
    }
}
