import AsyncHTTPClient
import Foundation

/// The proxy a request should use, from the variables every CLI reads: `https_proxy` /
/// `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http, `all_proxy` /
/// `ALL_PROXY` for either, and `no_proxy` / `NO_PROXY` for hosts that go direct. Matching
/// follows curl and botocore: `*` means every host, an entry matches that host and its
/// subdomains (a leading dot is optional), and a proxy URL without a port uses the
/// scheme's default.
public struct ProxySettings: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    /// nil for a direct connection.
    public func proxy(for url: URL) throws -> AsyncHTTPClient.HTTPClient.Configuration.Proxy? {
        guard let host = url.host?.lowercased(), !bypasses(host) else { return nil }
        let names = url.scheme?.lowercased() == "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            : ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        guard let name = names.first(where: { !(environment[$0] ?? "").isEmpty }) else { return nil }
        return try Self.parse(environment[name]!, variable: name)
    }

    /// `host:port (VARIABLE)` of the proxy a request to `url` goes through, for messages
    /// (never its credentials); nil for a direct connection.
    public func describe(for url: URL) -> String? {
        guard let host = url.host?.lowercased(), !bypasses(host) else { return nil }
        let names = url.scheme?.lowercased() == "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            : ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        guard let name = names.first(where: { !(environment[$0] ?? "").isEmpty }), let value = environment[name] else { return nil }
        let components = URLComponents(string: value.contains("://") ? value : "http://" + value)
        let port = components?.port.map { ":\($0)" } ?? ""
        return "\(components?.host ?? "?")\(port) (\(name))"
    }

    func bypasses(_ host: String) -> Bool {
        let list = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        for raw in list.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("[") { entry = String(entry.dropFirst().prefix { $0 != "]" }) }
            else if entry.filter({ $0 == ":" }).count == 1 { entry = String(entry.prefix { $0 != ":" }) } // host:port
            if entry.hasPrefix("*") { entry.removeFirst() }
            if entry.hasPrefix(".") { entry.removeFirst() }
            guard !entry.isEmpty else { continue }
            if bare == entry || bare.hasSuffix("." + entry) { return true }
        }
        return false
    }

    static func parse(_ value: String, variable: String) throws -> AsyncHTTPClient.HTTPClient.Configuration.Proxy {
        let text = value.contains("://") ? value : "http://" + value
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw BrokerError.usage("\(variable) is not a proxy URL (expected http://host:port)")
        }
        if let port = HTTPURL.explicitPort(text), !HTTPURL.ports.contains(port) {
            throw BrokerError.usage("\(variable): port \(port) is out of range", hint: "ports go from 1 to 65535")
        }
        let scheme = url.scheme?.lowercased() ?? "http"
        switch scheme {
        case "http":
            var authorization: AsyncHTTPClient.HTTPClient.Authorization?
            if let user = url.user {
                authorization = .basic(username: url.percentEncodedUser?.removingPercentEncoding ?? user,
                                       password: url.percentEncodedPassword?.removingPercentEncoding ?? "")
            }
            return .server(host: host, port: url.port ?? 80, authorization: authorization)
        case "socks5", "socks5h":
            return .socksServer(host: host, port: url.port ?? 1080)
        default:
            throw BrokerError.usage("\(variable): proxy scheme '\(scheme)' is not supported (use http:// or socks5://)")
        }
    }
}
