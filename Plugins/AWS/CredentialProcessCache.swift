import BrokerCore
import Foundation

/// The `credential_process` document (what the AWS SDKs expect on stdout) and its cache in
/// `$BROKER_HOME/aws/credential-process/` (0600). STS is called again only inside the refresh
/// window before expiry, or when the cached document is missing or unreadable.
public struct CredentialProcessCache: Sendable {
    public struct Document: Codable, Sendable, Equatable {
        public var Version: Int
        public var AccessKeyId: String
        public var SecretAccessKey: String
        public var SessionToken: String
        public var Expiration: String

        public init(accessKeyId: String, secretAccessKey: SecretValue, sessionToken: SecretValue, expiration: Date) {
            Version = 1
            AccessKeyId = accessKeyId
            SecretAccessKey = secretAccessKey.reveal
            SessionToken = sessionToken.reveal
            Expiration = ISOTime.format(expiration)
        }

        public var expirationDate: Date? { ISOTime.parse(Expiration) }
    }

    /// STS is called again when the cached session has less than this left: a quarter of the
    /// session, at most 15 minutes (so 900 s sessions are cached too, for 675 s).
    public let refreshWindow: TimeInterval

    public let path: String

    /// `name` is `--profile-cache`; without it the key is derived from what determines the credentials.
    public init(home: BrokerHome, name: String?, settings: AWSSettings) {
        let key = name.map(RoleSessionName.sanitize) ?? Self.derivedKey(settings)
        path = home.file("aws/credential-process/\(key).json")
        refreshWindow = Self.refreshWindow(durationSeconds: settings.durationSeconds)
    }

    public static func refreshWindow(durationSeconds: Int) -> TimeInterval {
        min(15 * 60, TimeInterval(durationSeconds) / 4)
    }

    /// The cached document when it is still good for longer than the refresh window.
    public func fresh(now: Date = Date()) -> Document? {
        guard let data = FileManager.default.contents(atPath: path),
              let document = try? JSONDecoder().decode(Document.self, from: data),
              document.Version == 1, let expiration = document.expirationDate,
              expiration.timeIntervalSince(now) > refreshWindow else { return nil }
        return document
    }

    /// What `broker credential-process aws` answers: the cached document while it is fresh (no
    /// token, no network), else a new session from STS with the token `token()` fetches (asked
    /// only then), cached for the SDK's next call.
    public func answer(settings: AWSSettings, environment: [String: String],
                       token: () async throws -> IdentityToken) async throws -> Document {
        if let cached = fresh() { return cached }
        let issued = try await STSClient(settings: settings, environment: environment).assumeRole(token: try await token())
        let document = Document(accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey,
                                sessionToken: issued.sessionToken, expiration: issued.expiration)
        try store(document)
        return document
    }

    /// `journal`: a login records the cache as its own file; `credential-process` refreshing
    /// an entry that a login recorded needs none.
    public func store(_ document: Document, journal: LoginJournal? = nil) throws {
        let contents = try JSONOutput.encode(document)
        if let journal {
            try journal.writeFile(path, contents: contents, brokerOwned: true)
        } else {
            try SecureFile.update(path) { _ in contents }
        }
    }

    static func derivedKey(_ settings: AWSSettings) -> String {
        let material = [settings.roleArn, settings.endpoint.absoluteString, settings.roleSessionName ?? "",
                        String(settings.durationSeconds), settings.policy ?? "", settings.policyArns.joined(separator: ","),
                        settings.audience].joined(separator: "\n")
        return String(sha256Hex(Data(material.utf8)).prefix(24))
    }
}
