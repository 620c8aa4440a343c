import Foundation

/// What a provider obtained: secret values, when they expire and who we became.
public struct IssuedCredentials: Sendable {
    public var identity: String
    public var expiration: Date?
    public var secrets: [String: SecretValue]
    /// Non-secret facts worth recording for `status` and `logout` (a Vault address, an accessor).
    public var details: [String: String]
    /// What `--output env|github` exports for this login; secret variables are masked on GitHub.
    public var environment: [EnvironmentExport.Variable]
    /// A bearer token for direct use (Google's access token), which `--output access-token` and
    /// `--output json` of a login show, as `gcloud auth print-access-token` does.
    public var accessToken: SecretValue?

    public init(identity: String, expiration: Date?, secrets: [String: SecretValue] = [:], details: [String: String] = [:],
                environment: [EnvironmentExport.Variable] = [], accessToken: SecretValue? = nil) {
        self.accessToken = accessToken
        self.identity = identity
        self.expiration = expiration
        self.secrets = secrets
        self.details = details
        self.environment = environment
    }
}

/// One thing a login wrote, so `status` and `logout` can find it again, with what logout needs
/// to put back exactly what was there before (undo means restore, not delete).
public struct WrittenTarget: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, section }
    public var kind: Kind
    public var path: String
    /// For `.section`: the INI section broker edits inside `path`.
    public var section: String?
    /// The file did not exist before broker first wrote it.
    public var createdFile: Bool?
    /// For `.section`: the section did not exist before broker first wrote into it.
    public var createdSection: Bool?
    /// For `.section`: every key broker set or removed, with what to put back. nil in records
    /// written before broker kept them.
    public var keys: [KeyChange]?
    /// For `.file`: SHA-256 of what broker wrote, so logout touches the file only while it
    /// still holds that. nil: the file is broker's alone (its own state, a plugin's own file).
    public var contentHash: String?
    /// For `.file`: a copy of the file broker replaced, restored at logout.
    public var backup: String?
    /// For `.file`: hashes of what earlier logins of the record wrote or were about to write
    /// (a login killed between recording and writing leaves one of those in place).
    public var earlierHashes: [String]?

    public init(kind: Kind, path: String, section: String? = nil, createdFile: Bool? = nil, createdSection: Bool? = nil,
                keys: [KeyChange]? = nil, contentHash: String? = nil, backup: String? = nil) {
        self.kind = kind
        self.path = path
        self.section = section
        self.createdFile = createdFile
        self.createdSection = createdSection
        self.keys = keys
        self.contentHash = contentHash
        self.backup = backup
    }

    /// Where it is, without the undo information (which may hold the user's own values): what
    /// reports and `status --output json` show.
    public struct Place: Codable, Sendable, Equatable {
        public var kind: Kind
        public var path: String
        public var section: String?
    }

    public var place: Place { Place(kind: kind, path: path, section: section) }

    /// The same file (and section): one record owns each at a time.
    public func isSameTarget(as other: WrittenTarget) -> Bool {
        kind == other.kind && path == other.path && section == other.section
    }
}

/// One key broker set or removed in an INI section, and what logout puts back.
public struct KeyChange: Codable, Sendable, Equatable {
    /// Lowercased, as botocore compares keys.
    public var key: String
    /// The exact lines (with their line endings) that held the key before broker first changed
    /// it; nil when there was no such key. Kept in state.json (0600), like the file itself.
    public var before: String?
    /// Where a removed key goes back: after the key `anchor` (nil: right after the header),
    /// `gap` lines further on (comments that stood between them).
    public var anchor: String?
    public var gap: Int?
    /// `sha256:` hash of the value broker left; nil when broker removed the key.
    public var after: String?
    /// What earlier logins left or were about to leave (nil: removed), newest last: still
    /// broker's, so logout restores over them too. A login killed between recording a change
    /// and writing it leaves one of these in the file.
    public var earlier: [String?]?

    public init(key: String, before: String?, anchor: String? = nil, gap: Int? = nil, after: String?) {
        self.key = key
        self.before = before
        self.anchor = anchor
        self.gap = gap
        self.after = after
    }

    /// True when `value` (a fingerprint, nil for absent) is something broker left.
    public func isBrokers(_ value: String?) -> Bool {
        value == after || (earlier ?? []).contains(value)
    }

    /// How a value is compared without keeping it: the hash of what botocore would read.
    public static func fingerprint(_ value: String?) -> String? {
        value.map { sha256Hex(Data($0.utf8)) }
    }
}

public struct LoginResult: Sendable {
    public var credentials: IssuedCredentials
    public var written: [WrittenTarget]
    /// A token file the provider's SDKs read, which `broker refresh` must keep fresh.
    public var tokenFile: String?
    /// Things that worked but will bite later (a profile without a region), printed as warnings.
    public var warnings: [String]
    /// Something the login left runs broker again later with this run's source flags and
    /// config (a `credential_process` line); a token file (`broker refresh`) counts too.
    public var runsBrokerLater: Bool
    /// What logout (and `status`) needs again, kept in the state record (`Record.adapterRecord`).
    public var adapterRecord: JSONValue?

    public init(credentials: IssuedCredentials, written: [WrittenTarget], tokenFile: String? = nil, warnings: [String] = [],
                runsBrokerLater: Bool = false, adapterRecord: (any Encodable & Sendable)? = nil) {
        self.adapterRecord = adapterRecord.flatMap { try? JSONValue.encoding($0) }
        self.credentials = credentials
        self.written = written
        self.tokenFile = tokenFile
        self.warnings = warnings
        self.runsBrokerLater = runsBrokerLater || tokenFile != nil
    }
}

/// A cloud or service broker can log into. It gets decoded settings and a token and never
/// reads flags or the environment itself.
public protocol Provider: Sendable {
    /// The audience its identity token must carry.
    var audience: String { get }
    /// Every file change goes through `journal`, which records it before it is made, so a
    /// login that is killed half-way still leaves a record that logout can undo.
    func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult
    /// `broker exec`: the same exchange, but the credentials only go into a child's
    /// environment; nothing is written and nothing recorded.
    func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession
}

/// What the executable hands every provider: where files go, the environment to resolve
/// their paths from, and how to call broker itself later (credential_process lines).
public struct ProviderContext: Sendable {
    public var home: String
    public var brokerHome: BrokerHome
    public var environment: [String: String]
    /// Absolute path of this broker binary.
    public var brokerPath: String
    /// The token-source flags of this run (`--token-file P`, `--source github`, ...).
    public var sourceArguments: [String]
    /// Every provider's network calls go through it.
    public var transport: any HTTPTransport
    /// The command's working directory (Google's credential file keeps out of its git work tree).
    public var workingDirectory: String?

    public init(home: String, brokerHome: BrokerHome, environment: [String: String], brokerPath: String = "broker",
                sourceArguments: [String] = [], transport: (any HTTPTransport)? = nil, workingDirectory: String? = nil) {
        self.workingDirectory = workingDirectory
        self.home = home
        self.brokerHome = brokerHome
        self.environment = environment
        self.brokerPath = brokerPath
        self.sourceArguments = sourceArguments
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }
}
