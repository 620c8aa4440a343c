import Foundation

/// What `broker exec` hands a child process for one provider: variables only. Nothing is
/// written to disk and nothing is recorded; a file an SDK insists on reading is an
/// `EphemeralFiles` path that lives as long as broker does.
public struct ChildSession: Sendable {
    public var identity: String
    public var expiration: Date?
    public var variables: [EnvironmentExport.Variable]
    /// Variables the child must not inherit, because they would point its tools at other
    /// credentials (an `AWS_PROFILE` naming a profile that is not there fails the AWS CLI even
    /// with keys in the environment).
    public var removed: [String]
    public var warnings: [String]

    public init(identity: String, expiration: Date?, variables: [EnvironmentExport.Variable], removed: [String] = [], warnings: [String] = []) {
        self.identity = identity
        self.expiration = expiration
        self.variables = variables
        self.removed = removed
        self.warnings = warnings
    }
}

extension Provider {
    /// Adapters that cannot hand credentials over without files of their own say so.
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        throw BrokerError.usage("this adapter cannot run under 'broker exec'", hint: "use 'broker login' and run the command afterwards")
    }
}
