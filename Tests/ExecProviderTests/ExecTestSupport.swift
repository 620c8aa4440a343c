@testable import ExecProvider
import BrokerCore
@_exported import BrokerTestSupport
import Foundation

/// An unsigned test JWT; broker never verifies it, the plugin's peer would.
func makeToken(exp: Int = 1_900_000_000) throws -> IdentityToken {
    let header = #"{"alg":"RS256","typ":"JWT"}"#
    let payload = #"{"iss":"https://issuer.example","sub":"repo:acme/app","aud":"plugin","exp":\#(exp)}"#
    return try IdentityToken(jwt: Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(payload.utf8)) + ".c2ln")
}


/// Everything in `directory`, recursively, to prove a failed login wrote nothing.
func listing(_ directory: String) -> [String] {
    (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
}

/// A plugin written by the test. It runs as `/bin/sh script`, so the file is never exec'd
/// while another test's fork may still hold it open for writing (ETXTBSY).
func shellPlugin(_ body: String, in directory: String) throws -> [String] {
    let path = directory + "/plugin-\(UUID().uuidString).sh"
    try writeText("set -eu\n" + body + "\n", to: path)
    return ["/bin/sh", path]
}

/// The example plugin shipped in examples/plugins.
let dockerPlugin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/plugins/docker-registry-login").path

/// broker's environment as the executable would inject it, with HOME pointing at the test's home.
func context(home: String, extra: [String: String] = [:]) -> ProviderContext {
    let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home]
        .merging(extra) { _, new in new }
    return ProviderContext(home: home, brokerHome: BrokerHome(path: home + "/.config/broker"), environment: environment)
}

/// A provider built the way the core builds it: the config entry checked against the keys, then `make`.
func makeProvider(_ settings: [String: JSONValue], name: String = "plugin", audience: String = "plugin",
                  context: ProviderContext) throws -> any Provider {
    let block = SettingsBlock(settings, path: "providers.\(name)", file: "broker.json")
    try block.check(against: ExecAdapter.keys)
    return try ExecAdapter.descriptor.make(ProviderEntry(name: name, adapter: "exec", audience: audience, settings: block), context)
}

func command(_ argv: [String]) -> JSONValue { .array(argv.map(JSONValue.string)) }

/// The error a login threw, as the user would read it.
func loginError(_ provider: any Provider, token: IdentityToken) async -> BrokerError? {
    do {
        _ = try await provider.login(token: token, journal: .unrecorded())
        return nil
    } catch let error as BrokerError {
        return error
    } catch {
        return BrokerError.failure("unexpected error type: \(error)")
    }
}
