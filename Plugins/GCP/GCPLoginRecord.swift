import BrokerCore

/// What `status`, `logout`, `--output env` of a skipped login and `broker gcp-token` need again.
public struct GCPLoginRecord: Codable, Sendable, Equatable {
    public var credentialsFile: String
    public var projectId: String?
    public var credentialSource: String
    /// The token's audience and the login's token-source flags: `broker gcp-token` mints with them.
    public var audience: String
    public var sourceArguments: [String]
    /// Google's output-file cache of the executable source (written by the libraries' runs of
    /// `broker gcp-token`, not by the login): logout removes it too.
    public var executableOutputFile: String?

    public init?(_ record: StateStore.Record) {
        guard let typed = record.adapterRecord(Self.self) else { return nil }
        self = typed
    }

    init(settings: GCPSettings, audience: String, sourceArguments: [String]) {
        credentialsFile = settings.credentialsFile
        projectId = settings.projectId
        credentialSource = settings.credentialSource.rawValue
        self.audience = audience
        self.sourceArguments = sourceArguments
        executableOutputFile = settings.credentialSource == .executable ? settings.executableOutputFile : nil
    }
}
