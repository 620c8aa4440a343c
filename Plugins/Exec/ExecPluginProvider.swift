import BrokerCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Adapter `exec`: runs any executable as the provider. The request (with the token) goes to
/// its stdin, the answer comes back on stdout; broker writes the files it asks for.
public struct ExecPluginProvider: Provider {
    public let settings: ExecSettings
    public let context: ProviderContext

    public init(settings: ExecSettings, context: ProviderContext) {
        self.settings = settings
        self.context = context
    }

    public var audience: String { settings.audience }

    /// `broker exec`: the plugin's `environment` goes to the child. A plugin that asks broker to
    /// write files is refused, since exec writes nothing (what it wrote itself stays its own).
    public func childSession(token: IdentityToken, files: EphemeralFiles) async throws -> ChildSession {
        let response = try await answer(token)
        guard response.files.isEmpty else {
            throw BrokerError.usage("exec provider '\(settings.name)' asks broker to write \(response.files.count) file(s), and 'broker exec' writes nothing",
                                    hint: "use 'broker login \(settings.name)', or have the plugin answer with environment variables only")
        }
        let credentials = credentials(response, token: token)
        return ChildSession(identity: credentials.identity, expiration: credentials.expiration, variables: credentials.environment)
    }

    public func login(token: IdentityToken, journal: LoginJournal) async throws -> LoginResult {
        let response = try await answer(token)
        let written = try write(response, journal: journal)
        let kept = response.files.filter(\.keepOnLogout).map(\.path)
        return LoginResult(credentials: credentials(response, token: token), written: written,
                           adapterRecord: kept.isEmpty ? nil : ExecAdapter.ExecLoginRecord(keptFiles: kept))
    }

    /// Runs the plugin with the request on stdin and reads its answer.
    func answer(_ token: IdentityToken) async throws -> ExecResponse {
        let request = try ExecRequest(settings: settings, token: token).encoded()
        let result = try await ProcessRunner.runDetached(settings.command, stdin: request, environment: pluginEnvironment(token: token),
                                                 timeout: settings.timeout, what: "exec provider '\(settings.name)'")
        // Whatever the plugin printed may hold secrets even when broker rejects it; keep them out of errors.
        let failure = PluginFailure(provider: settings.name, program: settings.command[0], stderr: result.stderr,
                                    secrets: [token.jwt.reveal] + Self.secretsIn(result.stdout))
        if result.timedOut {
            throw failure.error("did not answer within \(DurationText.format(settings.timeout)) and was stopped")
        }
        guard result.status == 0 else { throw failure.error("exited with status \(result.status)") }
        guard !result.stdoutTruncated else {
            throw failure.error("printed more than \(ProcessRunner.maxStdout >> 20) MiB on stdout; an answer is a small JSON document")
        }
        do { return try ExecResponse(parsing: result.stdout, home: context.home) } catch {
            throw failure.error(error.message)
        }
    }

    /// broker's environment plus `env`, minus anything carrying the token (an `env` token source
    /// would otherwise hand it over): the token travels on stdin only.
    func pluginEnvironment(token: IdentityToken) -> [String: String] {
        context.environment.merging(settings.environment) { _, extra in extra }
            .filter { !$0.value.contains(token.jwt.reveal) }
    }

    /// Writes every file the plugin asked for, through the journal (a file it asks broker to
    /// keep at logout, merged into a tool's own file, is written but not recorded); returns
    /// what logout should undo.
    func write(_ response: ExecResponse, journal: LoginJournal) throws -> [WrittenTarget] {
        var done: [String] = []
        for file in response.files {
            do {
                if file.keepOnLogout {
                    try SecureFile.update(file.path, mode: file.mode) { _ in file.content }
                    _ = chmod(try SecureFile.resolvedTarget(file.path), file.mode)
                } else {
                    try journal.writeFile(file.path, contents: file.content, mode: file.mode)
                }
            } catch {
                let before = done.isEmpty ? "" : " (already written: \(done.joined(separator: ", ")))"
                throw BrokerError.failure("exec provider '\(settings.name)': cannot write \(file.path)\(before): \(error)")
            }
            done.append(file.path)
        }
        let removable = response.files.filter { !$0.keepOnLogout }.map(\.path)
        var seen = Set<String>()
        return (removable + response.owned).filter { seen.insert($0).inserted }.map { WrittenTarget(kind: .file, path: $0) }
    }

    func credentials(_ response: ExecResponse, token: IdentityToken) -> IssuedCredentials {
        let secretValues = Array(response.secrets.values) + [token.jwt.reveal]
        let environment = response.environment.keys.sorted().map { name in
            let value = response.environment[name]!
            return EnvironmentExport.Variable(name, value, secret: Self.revealsSecret(value, secretValues))
        }
        var details = ["plugin": settings.command[0]]
        let kept = response.files.filter(\.keepOnLogout).map(\.path)
        if !kept.isEmpty { details[ExecAdapter.keptFilesDetail] = kept.joined(separator: "\n") }
        return IssuedCredentials(identity: response.identity, expiration: response.expiration,
                                 secrets: response.secrets.mapValues(SecretValue.init), details: details,
                                 environment: environment)
    }

    /// A variable is secret when it carries a secret value, whole or embedded (`Bearer <token>`).
    static func revealsSecret(_ value: String, _ secrets: [String]) -> Bool {
        secrets.contains { !$0.isEmpty && value.contains($0) }
    }

    /// The `secrets` of whatever the plugin printed, to redact from an error message.
    static func secretsIn(_ data: Data) -> [String] {
        let value = try? JSONDecoder().decode(JSONValue.self, from: data)
        return value?.objectValue?["secrets"]?.objectValue?.values.compactMap(\.stringValue) ?? []
    }
}
