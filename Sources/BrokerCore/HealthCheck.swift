/// One finding of `broker doctor`: ok, warn or fail, what was seen, and one line of advice.
public struct HealthCheck: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, warn, fail }
    public var name: String
    public var status: Status
    public var detail: String
    public var advice: String?

    public init(_ name: String, _ status: Status, _ detail: String, advice: String? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.advice = advice
    }
}
