import BrokerCore
import BrokerIssuer
import Foundation

extension SourceChoice {
    /// The run's token source: the CI platforms come from the core; the embedded issuer is built
    /// here, from the issuer settings (flag, variable, config) and this process's home.
    static func make(_ block: SettingsBlock, runtime: BrokerRuntime, issuerURL: String?) throws -> SourceChoice {
        try make(block, environment: runtime.environment) { try embedded(runtime, issuerURL: issuerURL) }
    }

    static func embedded(_ runtime: BrokerRuntime, issuerURL: String?) throws -> any TokenSource {
        let settings = try IssuerOptions.resolve(issuerURL: issuerURL, algorithm: nil, config: runtime.config, environment: runtime.environment)
        let source = EmbeddedIssuerSource(issuer: Issuer(settings: settings, home: try runtime.brokerHome.prepare(), environment: runtime.environment))
        return CloudAudienceWarning(source: source, warnings: settings.warnings)
    }
}

extension SourceChoice {
    /// The source without the issuer's https warning: for commands that report on the issuer
    /// themselves (`doctor`, `policy`), which would otherwise say it twice.
    var quietSource: any TokenSource { (source as? CloudAudienceWarning)?.source ?? source }
}

/// The issuer's https warning, said once per run and only when a token goes to a cloud that
/// fetches the issuer's keys itself (AWS, Google); Vault and local peers are fine with http.
struct CloudAudienceWarning: TokenSource {
    let source: any TokenSource
    let warnings: [String]
    private let said = Said()

    init(source: any TokenSource, warnings: [String]) {
        self.source = source
        self.warnings = warnings
    }

    var name: String { source.name }

    func token(audience: String) async throws -> IdentityToken {
        if IssuerSettings.isCloudAudience(audience), await said.first() { warnings.forEach(Terminal.warn) }
        return try await source.token(audience: audience)
    }

    private actor Said {
        private var done = false
        func first() -> Bool {
            defer { done = true }
            return !done
        }
    }
}
