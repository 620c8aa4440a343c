import Foundation

/// One outgoing HTTP request, independent of the transport that sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public private(set) var headers: [(name: String, value: String)]
    public var body: Data?

    public init(_ method: String = "GET", url: URL, body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = []
        self.body = body
    }

    /// Sets a header, replacing any value it had (names compare case-insensitively).
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    /// Scheme, host and port only: safe to show, since paths and queries can carry secrets.
    public var shownTarget: String {
        var text = "\(url.scheme ?? "?")://\(url.host ?? "?")"
        if let port = url.port { text += ":\(port)" }
        return text
    }
}
