import BrokerCore
import Foundation

/// Temporary AWS credentials as every AWS tool knows them. Secrets stay wrapped so a stray
/// print or error message shows `<redacted>`.
public struct AWSSessionCredentials: Sendable, Equatable {
    public var accessKeyId: String
    public var secretAccessKey: SecretValue
    public var sessionToken: SecretValue
    public var expiration: Date

    public init(accessKeyId: String, secretAccessKey: SecretValue, sessionToken: SecretValue, expiration: Date) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// `2026-11-26T23:00:00Z`: UTC, whole seconds, the form the AWS tools write and read.
    public static func iso8601(_ date: Date) -> String {
        ISOTime.format(date)
    }

    /// Accepts ISO 8601 with or without fractional seconds (AWS sends neither consistently).
    public static func parseISO8601(_ text: String) -> Date? {
        ISOTime.parse(text)
    }
}
