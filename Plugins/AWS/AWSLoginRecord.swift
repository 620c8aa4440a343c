import BrokerCore

/// What `--output env|github` exports for a login `--min-remaining` skipped: its profile and region.
struct AWSLoginRecord: Codable, Sendable, Equatable {
    var profile: String
    var region: String?

    /// The record's own, else (a login by an earlier version) its details.
    init?(_ record: StateStore.Record) {
        if let typed = record.adapterRecord(Self.self) {
            self = typed
            return
        }
        guard let profile = record.details?["profile"] else { return nil }
        self.init(profile: profile, region: record.details?["region"])
    }

    init(profile: String, region: String?) {
        self.profile = profile
        self.region = region
    }

    /// As its Codable encoding reads, built by hand: `LoginResult` then keeps it as it is.
    var json: JSONValue {
        var object: [String: JSONValue] = ["profile": .string(profile)]
        object["region"] = region.map(JSONValue.string)
        return .object(object)
    }
}
