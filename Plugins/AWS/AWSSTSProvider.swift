import BrokerCore
import Foundation

/// Adapter `aws-sts`: exchanges the token with STS and writes the profile in the chosen mode.
public struct AWSSTSProvider: Provider {
    public let settings: AWSSettings
    public let files: AWSSharedFiles
    public let home: BrokerHome
    /// The argv written as `credential_process` (broker's absolute path first).
    public let credentialProcessCommand: [String]
    /// The injected environment, for STS's proxies and CA bundle.
    public let environment: [String: String]
    public let transport: any HTTPTransport

    public init(settings: AWSSettings, files: AWSSharedFiles, home: BrokerHome, credentialProcessCommand: [String],
                environment: [String: String], transport: (any HTTPTransport)? = nil) {
        self.settings = settings
        self.files = files
        self.home = home
        self.credentialProcessCommand = credentialProcessCommand
        self.environment = environment
        self.transport = transport ?? LiveHTTPTransport(environment: environment)
    }

    public var audience: String { settings.audience }

    /// Where `--mode web-identity` keeps the token the SDKs read.
    public var webIdentityTokenPath: String { home.file("aws/web-identity/\(settings.profile).jwt") }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        try AWSSharedFiles.checkHome(environment)
        let sessionName = settings.roleSessionName ?? RoleSessionName.derive(from: token, environment: environment)
        let result = try await STSClient(settings: settings, environment: environment, transport: transport).assumeRole(token: token, sessionName: sessionName)
        let written = try write(result, token: token, sessionName: sessionName, journal: journal)
        let credentials = IssuedCredentials(
            identity: result.assumedRoleArn, expiration: result.expiration,
            secrets: ["AccessKeyId": SecretValue(result.accessKeyId), "SecretAccessKey": result.secretAccessKey,
                      "SessionToken": result.sessionToken],
            details: ["profile": settings.profile, "mode": settings.mode.rawValue].merging(settings.region.map { ["region": $0] } ?? [:]) { a, _ in a },
            environment: exports(result))
        return LoginResult(credentials: credentials, written: written,
                           tokenFile: settings.mode == .webIdentity ? webIdentityTokenPath : nil,
                           warnings: regionWarning().map { [$0] } ?? [], runsBrokerLater: settings.mode == .credentialProcess,
                           adapterRecord: AWSLoginRecord(profile: settings.profile, region: settings.region).json)
    }

    /// `broker exec`: the session's keys, its expiry and the region go to the child, whatever
    /// the mode; variables that would make the tools read a profile instead are taken away.
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        let sessionName = settings.roleSessionName ?? RoleSessionName.derive(from: token, environment: environment)
        let result = try await STSClient(settings: settings, environment: environment, transport: transport).assumeRole(token: token, sessionName: sessionName)
        var warnings: [String] = []
        if settings.region == nil, environment["AWS_REGION"] == nil, environment["AWS_DEFAULT_REGION"] == nil {
            warnings.append("no region is set, so the AWS CLI fails with \"You must specify a region\": set region in the config or AWS_REGION")
        }
        return ChildSession(identity: result.assumedRoleArn, expiration: result.expiration,
                            variables: Self.sessionExports(result, region: settings.region), removed: Self.shadowingVariables,
                            warnings: warnings)
    }

    /// Would point the SDKs at a profile or another role instead of the keys `exec` gives.
    static let shadowingVariables = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                                     "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"]

    /// The AWS CLI needs a region for every call, STS's included: a profile left without one
    /// makes `aws sts get-caller-identity --profile p` fail with "You must specify a region".
    func regionWarning() -> String? {
        guard settings.region == nil, let config = try? files.readConfig() else { return nil }
        if let section = config.configSection(profile: settings.profile), config.value(section: section, key: "region") != nil { return nil }
        return "profile '\(settings.profile)' has no region, so `aws ... --profile \(settings.profile)` fails with \"You must specify a region\" "
            + "unless AWS_REGION is set where it runs: pass --region (or set AWS_REGION) when logging in to write one"
    }

    /// What `--output env|github` exports: in static mode the session, its expiry and the
    /// region; in the self-refreshing modes the profile (one-hour keys would shadow it).
    func exports(_ result: STSWebIdentityResult) -> [EnvironmentExport.Variable] {
        guard settings.mode == .staticKeys else { return Self.profileExports(profile: settings.profile, region: settings.region) }
        return Self.sessionExports(result, region: settings.region)
    }

    /// The session itself, as configure-aws-credentials exports it (the region under both names).
    static func sessionExports(_ result: STSWebIdentityResult, region: String?) -> [EnvironmentExport.Variable] {
        var variables: [EnvironmentExport.Variable] = [
            .init("AWS_ACCESS_KEY_ID", result.accessKeyId, secret: true),
            .init("AWS_SECRET_ACCESS_KEY", result.secretAccessKey.reveal, secret: true),
            .init("AWS_SESSION_TOKEN", result.sessionToken.reveal, secret: true),
            .init("AWS_CREDENTIAL_EXPIRATION", AWSSessionCredentials.iso8601(result.expiration)),
        ]
        if let region {
            variables += [.init("AWS_REGION", region), .init("AWS_DEFAULT_REGION", region)]
        }
        return variables
    }

    /// An endpoint of AWS itself (regional, FIPS, China), not an emulator or a stranger's server.
    public static func isAWSHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased() else { return false }
        return host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn")
    }

    static func profileExports(profile: String, region: String?) -> [EnvironmentExport.Variable] {
        [.init("AWS_PROFILE", profile)] + (region.map { [.init("AWS_REGION", $0), .init("AWS_DEFAULT_REGION", $0)] } ?? [])
    }

    /// Writes the profile in the chosen mode. Both AWS files are parsed before either is
    /// written, so a broken file means nothing changes; every change goes through `journal`.
    func write(_ result: STSWebIdentityResult, token: IdentityToken, sessionName: String,
               journal: LoginJournal) throws -> [WrittenTarget] {
        let regionSetting = settings.region.map { [(key: "region", value: $0)] } ?? []
        switch settings.mode {
        case .staticKeys:
            return try files.writeStaticProfile(settings.profile, credentials: result.credentials, region: settings.region,
                                                removingConfigKeys: ["credential_process"], removeWebIdentity: true,
                                                overwrite: settings.overwrite, journal: journal)
        case .credentialProcess:
            let cache = CredentialProcessCache(home: home, name: settings.profile, settings: settings)
            try cache.store(.init(accessKeyId: result.accessKeyId, secretAccessKey: result.secretAccessKey,
                                  sessionToken: result.sessionToken, expiration: result.expiration), journal: journal)
            let saved = try SavedAWSSettings(home: home, name: settings.profile).save(settings, journal: journal)
            let line = credentialProcessCommand.map(ShellWords.quote).joined(separator: " ")
            return try files.writeConfigProfile(settings.profile, settings: [(key: "credential_process", value: line)] + regionSetting,
                                                removeWebIdentity: true, overwrite: settings.overwrite, journal: journal)
                + [WrittenTarget(kind: .file, path: cache.path), saved]
        case .webIdentity:
            try journal.writeFile(webIdentityTokenPath, contents: Data(token.jwt.reveal.utf8), brokerOwned: true)
            return try files.writeConfigProfile(settings.profile, settings: [
                (key: "web_identity_token_file", value: webIdentityTokenPath),
                (key: "role_arn", value: settings.roleArn),
                (key: "role_session_name", value: sessionName),
            ] + regionSetting, removingConfigKeys: ["credential_process"], overwrite: settings.overwrite, journal: journal)
                + [WrittenTarget(kind: .file, path: webIdentityTokenPath)]
        }
    }
}
