import ArgumentParser
import AWSProvider
import BrokerCore
import BrokerIssuer
import Foundation

/// `broker doctor [NAME...]`: what is wrong before CI fails. Each check says ok, warn or fail
/// with one line of advice; any fail exits 1.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check what a login needs: config, token source, a token per provider, the issuer, the clock, credential files, proxy, trust policies.",
        discussion: "Exit 0 when nothing fails (warnings allowed), 1 when a check fails.")

    @Argument(help: "Providers to check (default: all in the config).", completion: Completions.providerNames)
    var names: [String] = []

    @Option(name: .customLong("policy"), help: ArgumentHelp("Also check a provider's trust policy, role or federated credential offline (repeatable).", valueName: "NAME=FILE"))
    var policies: [String] = []

    @Option(help: "A server whose Date header the local clock is compared with (default: the issuer when https, else https://sts.amazonaws.com).")
    var clockUrl: String?

    @Option(help: "text or json.")
    var output = ReportFormat.text

    @OptionGroup var source: TokenSourceOptions
    @OptionGroup var configOption: ConfigOption

    func validate() throws {
        for policy in policies where !policy.contains("=") || policy.hasPrefix("=") || policy.hasSuffix("=") {
            throw ValidationError("--policy takes NAME=FILE, not '\(policy.prefix(80))'")
        }
        if let clockUrl { _ = try HTTPURL.parse(clockUrl, name: "--clock-url") }
    }

    func run() async throws {
        let environment = CommandContext.variables
        let transport = LiveHTTPTransport(environment: environment)
        let runtime: BrokerRuntime
        do {
            runtime = try BrokerRuntime(configOption: configOption.config)
        } catch let error as BrokerError {
            report([HealthCheck("config", .fail, error.message, advice: error.hint ?? "fix the config ('broker config validate')")])
            throw ExitFailure(code: 1)
        }
        if let unknown = names.first(where: { name in !runtime.config.providers.contains { $0.name == name } }) {
            throw BrokerError.usage("no provider named '\(unknown)' in the config", hint: "see 'broker config show'")
        }
        var checks: [HealthCheck] = []
        defer { report(checks) }
        let providers = runtime.config.providers.filter { names.isEmpty || names.contains($0.name) }
        checks.append(HealthCheck("config", .ok, "\(runtime.configLocation?.description ?? "none found (built-in defaults)"); "
                                  + "providers: \(providers.isEmpty ? "none" : providers.map { "\($0.name) (\($0.adapter))" }.joined(separator: ", "))"))
        checks.append(HealthCheck("broker home", .ok, runtime.brokerHome.path))

        var tokens: [String: IdentityToken] = [:]
        var embeddedURL: String?
        do {
            let choice = try source.makeSource(runtime: runtime)
            checks.append(HealthCheck("token source", .ok, "\(choice.source.name), because: \(choice.reason)"))
            // The issuer's own check below says what its https warning would.
            let tokenSource = choice.quietSource
            embeddedURL = (tokenSource as? EmbeddedIssuerSource)?.issuer.settings.url
            let audiences = providers.isEmpty ? [("(default)", "sts.amazonaws.com")] : providers.map { ($0.name, $0.audience) }
            for (name, audience) in audiences {
                do {
                    let token = try await tokenSource.checkedToken(audience: audience)
                    tokens[name] = token
                    let left = token.expiresAt.map { ", expires in \(DurationText.format($0.timeIntervalSinceNow))" } ?? ""
                    checks.append(HealthCheck("token for \(name)", .ok, "aud \(audience), iss \(token.issuer ?? "(none)"), sub \(token.subject ?? "(none)")\(left)"))
                } catch let error as BrokerError {
                    checks.append(HealthCheck("token for \(name)", .fail, error.message, advice: error.hint))
                }
            }
        } catch let error as BrokerError {
            // A CI job whose platform cannot issue tokens: say so and how to fix it.
            checks.append(HealthCheck("token source", .fail, "none: \(error.message)", advice: error.hint))
        }

        // A cloud fetches the issuer's keys itself: there an unreachable issuer fails the login.
        let clouds = providers.contains { ["aws-sts", "gcp-workload-identity", "azure-federated"].contains($0.adapter) }
        if let url = embeddedURL {
            let kid = tokens.values.first?.header["kid"]?.stringValue
            checks += await IssuerCheckup.checks(url: url, signingKid: kid, transport: transport, cloudsNeedIt: clouds)
        }
        let clock = clockUrl ?? (embeddedURL?.hasPrefix("https://") == true ? embeddedURL! : "https://sts.amazonaws.com")
        checks.append(await ClockCheckup.check(url: URL(string: clock)!, transport: transport))

        if providers.contains(where: { $0.adapter == "aws-sts" }) || providers.isEmpty {
            checks += AWSFilesCheckup.checks(environment: environment, home: environment["HOME"] ?? NSHomeDirectory())
        }
        checks += recordedFileChecks(StateStore(home: runtime.brokerHome))
        checks.append(proxyCheck(environment))

        for policy in policies {
            let (name, file) = (String(policy.prefix { $0 != "=" }), String(policy.drop { $0 != "=" }.dropFirst()))
            guard let entry = runtime.config.providers.first(where: { $0.name == name }) else {
                checks.append(HealthCheck("policy \(name)", .fail, "no provider named '\(name)' in the config", advice: "name a provider of 'broker config show'"))
                continue
            }
            guard let token = tokens[name] else {
                checks.append(HealthCheck("policy \(name)", .fail, "no token to check (see the token checks above)"))
                continue
            }
            checks.append(DoctorPolicyChecks.check(entry: entry, file: file, claims: token.claims))
        }
        if checks.contains(where: { $0.status == .fail }) { throw ExitFailure(code: 1) }
    }

    /// Files earlier logins wrote must still be private.
    func recordedFileChecks(_ state: StateStore) -> [HealthCheck] {
        // Whole files a login wrote (token files, credential files); an INI section's file (the
        // AWS config) is the AWS check's to judge.
        let paths = Set(((try? state.records()) ?? []).flatMap { $0.written.filter { $0.kind == .file }.map(\.path) })
        return paths.sorted().compactMap { path in
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return nil }
            return HealthCheck("file \(path)", .fail, "mode \(String(info.st_mode & 0o777, radix: 8)): others can read what a login wrote there",
                               advice: "chmod 600 \(path)")
        }
    }

    func proxyCheck(_ environment: [String: String]) -> HealthCheck {
        let names = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"]
        let set = names.compactMap { name in environment[name].flatMap { $0.isEmpty ? nil : "\(name)=\(Self.redacted($0))" } }
        return HealthCheck("proxy", .ok, set.isEmpty ? "none: direct connections" : set.joined(separator: ", "))
    }

    /// A proxy URL without its password.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        // `user:secret@proxy:3128` has no scheme; everything before the `@` goes either way.
        let start = url.range(of: "://").map { $0.upperBound < at ? $0.upperBound : url.startIndex } ?? url.startIndex
        return url[..<start] + "***" + url[at...]
    }

    func report(_ checks: [HealthCheck]) {
        if output == .json {
            struct Report: Encodable { var ok: Bool; var checks: [HealthCheck] }
            if let text = try? JSONOutput.string(Report(ok: !checks.contains { $0.status == .fail }, checks: checks)) { Terminal.output(text) }
            return
        }
        var lines: [String] = []
        for check in checks {
            lines.append("\(check.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(check.name): \(check.detail)")
            if let advice = check.advice, check.status != .ok { lines.append("      fix: \(advice)") }
        }
        Terminal.output(lines.joined(separator: "\n") + "\n")
        let failed = checks.filter { $0.status == .fail }
        if !failed.isEmpty {
            Terminal.error("doctor: \(failed.count) check\(failed.count == 1 ? "" : "s") failed: " + failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))
        }
    }
}
