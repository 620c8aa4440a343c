import BrokerCore

/// What `status`, `logout` and `--output env` of a skipped login need again.
public struct AzureLoginRecord: Codable, Sendable, Equatable {
    public var tenantId: String
    public var clientId: String
    public var authorityHost: String
    public var subscriptionId: String?
    public var tokenFile: String
    public var environmentFile: String
    public var accessTokenFile: String?

    public init?(_ record: StateStore.Record) {
        guard let typed = record.adapterRecord(Self.self) else { return nil }
        self = typed
    }

    init(settings: AzureSettings) {
        tenantId = settings.tenantId
        clientId = settings.clientId
        authorityHost = settings.authorityHost
        subscriptionId = settings.subscriptionId
        tokenFile = settings.tokenFile
        environmentFile = settings.environmentFile
        accessTokenFile = settings.accessTokenFile
    }
}
