import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// A request that got no HTTP answer, in broker's own words: the transport's text can carry
/// the full URL (and with it query-string secrets), so only the kind and the host are shown.
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case timeout, refused, hostNotFound, connectionLost, tls, badURL, proxy, tooLarge, other
        /// The server closed TLS without close_notify: the answer may be cut short.
        case truncated
    }

    public let kind: Kind
    /// scheme://host[:port] of the request.
    public let target: String
    public let seconds: Double?
    /// For `.other`: the error's type, never its text.
    public let type: String?
    /// The proxy the request went through (`host:port (HTTPS_PROXY)`), if any: a refusal or a
    /// name that does not resolve is then the proxy's, not the target's.
    public var proxy: String?

    public init(_ kind: Kind, target: String, seconds: Double? = nil, type: String? = nil, proxy: String? = nil) {
        self.kind = kind
        self.target = target
        self.seconds = seconds
        self.type = type
        self.proxy = proxy
    }

    /// Worth another attempt: the same request may get through later. Certificates, URLs,
    /// proxies and oversize answers do not change by asking again.
    public var isTransient: Bool {
        switch kind {
        case .timeout, .refused, .hostNotFound, .connectionLost, .truncated, .other: true
        case .tls, .badURL, .proxy, .tooLarge: false
        }
    }

    public var description: String {
        if let proxy {
            switch kind {
            case .refused: return "the proxy \(proxy) refused the connection (for \(target))"
            case .hostNotFound: return "the host name of the proxy \(proxy) did not resolve (for \(target))"
            default: break
            }
        }
        return switch kind {
        case .timeout: "\(target) did not answer within \(DurationText.format(seconds ?? 0))"
        case .refused: "\(target) refused the connection"
        case .hostNotFound: "the host name of \(target) did not resolve"
        case .connectionLost: "\(target) closed the connection before answering"
        case .tls: "TLS with \(target) failed (certificate not trusted, wrong host name or handshake error)"
        case .truncated: "\(target) ended the TLS connection without close_notify, so its answer may be cut short (a server or proxy fault)"
        case .badURL: "\(target) is not a usable http(s) URL"
        case .proxy: "the proxy for \(target) refused the tunnel (check HTTPS_PROXY and its credentials)"
        case .tooLarge: "\(target) answered with more than \(HTTPClient.maxBodyBytes / 1024 / 1024) MiB"
        case .other: "the request to \(target) failed" + (type.map { " (\($0))" } ?? "")
        }
    }

    /// Maps what async-http-client and SwiftNIO throw onto the kinds above.
    static func classify(_ error: any Error, target: String, seconds: Double, proxy: String? = nil) -> HTTPTransportError {
        func make(_ kind: Kind) -> HTTPTransportError {
            HTTPTransportError(kind, target: target, seconds: seconds, type: kind == .other ? "\(Swift.type(of: error))" : nil, proxy: proxy)
        }
        switch error {
        case let error as HTTPTransportError:
            return error
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                 .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return make(.timeout)
            case .remoteConnectionClosed:
                return make(.connectionLost)
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
                return make(.badURL)
            case .proxyAuthenticationRequired, .invalidProxyResponse:
                return make(.proxy)
            default:
                return make(String(describing: error).hasPrefix("HTTPClientError.unsupportedScheme") ? .badURL : .other)
            }
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil { return make(.hostNotFound) }
            return make(error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED } ? .refused : .other)
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return make(.refused)
            case ECONNRESET, EPIPE: return make(.connectionLost)
            default: return make(.other)
            }
        case is SocketAddressError:
            return make(.hostNotFound)
        case NIOSSLError.uncleanShutdown:
            return make(.truncated)
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return make(.tls)
        case ChannelError.connectTimeout:
            return make(.timeout)
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof, ChannelError.outputClosed,
             ChannelError.inputClosed:
            return make(.connectionLost)
        default:
            return make(.other)
        }
    }
}
