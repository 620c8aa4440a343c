/// A value that must never reach a log line, an error or a snapshot. Its description is
/// redacted; code that really means to print it reads `.reveal`.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let reveal: String
    public init(_ value: String) { reveal = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
