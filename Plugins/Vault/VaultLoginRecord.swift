import BrokerCore

/// What a Vault logout needs again: where to revoke the token, and how to reach that server.
struct VaultLoginRecord: Codable, Sendable, Equatable {
    var address: String
    var namespace: String?
    var caCert: String?
    var accessor: String?

    /// The record's own, else (a login by an earlier version) its details.
    init?(_ record: StateStore.Record) {
        if let typed = record.adapterRecord(Self.self) {
            self = typed
            return
        }
        guard let address = record.details?["address"] else { return nil }
        self.init(address: address, namespace: record.details?["namespace"], caCert: record.details?["caCert"],
                  accessor: record.details?["accessor"])
    }

    init(address: String, namespace: String?, caCert: String?, accessor: String?) {
        self.address = address
        self.namespace = namespace
        self.caCert = caCert
        self.accessor = accessor
    }
}
