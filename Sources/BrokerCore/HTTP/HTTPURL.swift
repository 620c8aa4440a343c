import Foundation

/// The one check for an http(s) URL a user gives (flag, config key, variable): scheme http or
/// https, a host, a port from 1 to 65535, and no `user:password@`, which broker would not send
/// and must never echo. Errors name the input and show the URL without its userinfo.
public enum HTTPURL {
    public static let ports: ClosedRange<Int> = 1 ... 65535

    public static func parse(_ text: String, name: String) throws -> URL {
        let shown = redacted(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              let url = URL(string: text) else {
            throw BrokerError.usage("\(name): '\(shown)' is not an http(s) URL", hint: "for example https://host.example.com")
        }
        if components.user != nil || components.password != nil {
            throw BrokerError.usage("\(name): '\(shown)' carries a user name or password",
                                    hint: "remove the user:password@ part; broker does not send it")
        }
        if let port = explicitPort(text), !ports.contains(port) {
            throw BrokerError.usage("\(name): port \(port) in '\(shown)' is out of range", hint: "ports go from 1 to 65535")
        }
        return url
    }

    /// The URL with any `user:password@` replaced by `***@`, for messages.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(rest[at...])
    }

    /// The port as written (URLComponents gives nil for some out-of-range ports).
    static func explicitPort(_ text: String) -> Int? {
        guard let scheme = text.range(of: "://") else { return nil }
        let rest = text[scheme.upperBound...]
        var authority = rest[..<(rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex)]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterHost = authority.hasPrefix("[") ? authority[(authority.firstIndex(of: "]") ?? authority.startIndex)...].dropFirst() : authority
        guard let colon = afterHost.lastIndex(of: ":") else { return nil }
        let digits = afterHost[afterHost.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return digits.isEmpty ? nil : -1 }
        return digits.count > 6 ? Int.max : Int(digits)
    }
}
