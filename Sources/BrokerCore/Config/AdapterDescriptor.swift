import Foundation

/// A provider entry of the config after the core's checks: name, adapter, audience and the
/// adapter's own settings block.
public struct ProviderEntry: Sendable {
    public var name: String
    public var adapter: String
    public var audience: String
    public var settings: SettingsBlock
    /// `"export": true`: with `--output env|github`, this provider's credentials are exported
    /// (the others' are not).
    public var export: Bool

    public init(name: String, adapter: String, audience: String, settings: SettingsBlock, export: Bool = false) {
        self.name = name
        self.adapter = adapter
        self.audience = audience
        self.settings = settings
        self.export = export
    }
}

/// Everything the core needs to know of an adapter without knowing it by name: its settings,
/// how to build its provider, what it writes (to refuse two entries writing the same place),
/// and how to undo a login.
public struct AdapterDescriptor: Sendable {
    public var adapter: String
    public var summary: String
    public var defaultAudience: String?
    /// An audience that follows from the entry's settings (Google: `//iam.googleapis.com/` + the
    /// provider's resource name); wins over `defaultAudience`.
    public var derivedAudience: (@Sendable (SettingsBlock) -> String?)?
    /// Its logins hand out a bearer token meant for direct use (`--output access-token`).
    public var issuesAccessToken: Bool
    public var keys: [SettingKey]
    public var target: @Sendable (SettingsBlock, ProviderContext) -> String?
    public var make: @Sendable (ProviderEntry, ProviderContext) throws -> any Provider
    /// Removes what a login wrote; returns one line per thing done, for the user.
    public var logout: @Sendable (StateStore.Record, ProviderContext) async throws -> [String]
    /// Folders under `$BROKER_HOME` holding only this adapter's login files (caches, token
    /// files): a file there that no record names is a leftover `status` shows and
    /// `logout --all` removes.
    public var ownedDirectories: [String]
    /// What `--output env|github` exports for a login skipped by `--min-remaining`, from its
    /// record alone: never secrets (AWS: the profile and region, not the keys).
    public var recordedExports: @Sendable (StateStore.Record) -> [EnvironmentExport.Variable]
    /// What an entry would do that a stranger's config must not do unasked: run a command,
    /// send the token to an endpoint of its own. One phrase each; empty when harmless.
    public var trustConcerns: @Sendable (ProviderEntry, _ environment: [String: String]) -> [String]
    /// The expiry of credentials a self-refreshing helper obtained after the login (AWS: the
    /// credential-process cache), for `status` and `--min-remaining`.
    public var refreshedExpiration: @Sendable (StateStore.Record) -> Date?
    /// `broker login <loginCommand>` logs in from flags; a config entry of that name gives its
    /// defaults, so the name is this adapter's alone.
    public var loginCommand: String?

    public init(adapter: String, summary: String, defaultAudience: String?, keys: [SettingKey],
                target: @escaping @Sendable (SettingsBlock, ProviderContext) -> String?,
                make: @escaping @Sendable (ProviderEntry, ProviderContext) throws -> any Provider,
                logout: @escaping @Sendable (StateStore.Record, ProviderContext) async throws -> [String],
                ownedDirectories: [String] = [],
                recordedExports: @escaping @Sendable (StateStore.Record) -> [EnvironmentExport.Variable] = { _ in [] },
                trustConcerns: @escaping @Sendable (ProviderEntry, [String: String]) -> [String] = { _, _ in [] },
                refreshedExpiration: @escaping @Sendable (StateStore.Record) -> Date? = { _ in nil },
                loginCommand: String? = nil,
                derivedAudience: (@Sendable (SettingsBlock) -> String?)? = nil, issuesAccessToken: Bool = false) {
        self.derivedAudience = derivedAudience
        self.issuesAccessToken = issuesAccessToken
        self.loginCommand = loginCommand
        self.ownedDirectories = ownedDirectories
        self.refreshedExpiration = refreshedExpiration
        self.trustConcerns = trustConcerns
        self.recordedExports = recordedExports
        self.adapter = adapter
        self.summary = summary
        self.defaultAudience = defaultAudience
        self.keys = keys
        self.target = target
        self.make = make
        self.logout = logout
    }
}

extension AdapterDescriptor {
    /// The audience of an entry that names none.
    public func defaultAudience(for settings: SettingsBlock) -> String? {
        derivedAudience?(settings) ?? defaultAudience
    }

    /// An entry must name its audience only when the adapter can neither default nor derive one.
    public var requiresAudience: Bool { defaultAudience == nil && derivedAudience == nil }
}

/// Maps adapter names (`aws-sts`, ...) to their descriptors. The executable registers the
/// built-in adapters; the core knows none by name.
public struct ProviderRegistry: Sendable {
    private var descriptors: [String: AdapterDescriptor] = [:]

    public init() {}

    public mutating func register(_ descriptor: AdapterDescriptor) {
        descriptors[descriptor.adapter] = descriptor
    }

    public var adapters: [String] { descriptors.keys.sorted() }
    public var all: [AdapterDescriptor] { adapters.compactMap { descriptors[$0] } }

    public func descriptor(for adapter: String, at location: String) throws -> AdapterDescriptor {
        guard let descriptor = descriptors[adapter] else {
            let suggestion = Suggestion.closest(to: adapter, among: adapters)
            throw BrokerError.usage("\(location): unknown adapter '\(adapter)'",
                                    hint: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "known adapters: \(adapters.joined(separator: ", "))")
        }
        return descriptor
    }

    public func descriptor(named adapter: String) -> AdapterDescriptor? { descriptors[adapter] }

    /// Provider names a config entry of another adapter cannot take: each `broker login
    /// <command>` (with the adapter whose defaults such an entry gives), and `providers`.
    public var reservedNames: [String: String] {
        all.reduce(into: ["providers": ""]) { names, descriptor in
            if let command = descriptor.loginCommand { names[command] = descriptor.adapter }
        }
    }

    /// `record.realExpiration`, with what its adapter's helper refreshed since the login.
    public func realExpiration(of record: StateStore.Record) -> Date? {
        record.realExpiration(refreshed: descriptors[record.adapter]?.refreshedExpiration(record))
    }

    public func makeProvider(_ entry: ProviderEntry, context: ProviderContext) throws -> any Provider {
        try descriptor(for: entry.adapter, at: entry.settings.location("adapter")).make(entry, context)
    }
}
