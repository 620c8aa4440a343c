@testable import BrokerCore
import Foundation
import Testing

/// A TCP port on 127.0.0.1 that misbehaves on purpose: it refuses connections (bound, never
/// listening), never answers, closes at once, or answers with bytes that are not TLS.
private final class RawListener: @unchecked Sendable {
    enum Behaviour { case refusing, silent, close, notTLS }
    let fd: Int32
    let port: Int
    let behaviour: Behaviour
    private var accepted: [Int32] = []

    init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        self.behaviour = behaviour
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard bound else { throw BrokerError.failure("cannot bind") }
        if behaviour == .refusing { return }
        guard listen(fd, 16) == 0 else { throw BrokerError.failure("cannot listen") }
        // The thread closes the socket itself once accept fails, so its number cannot be
        // reused by another test's socket while this thread still accepts on it.
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    accepted.forEach { close($0) }
                    close(fd)
                    return
                }
                switch behaviour {
                case .silent: accepted.append(client)  // held open, never answered
                case .close, .refusing: close(client)
                case .notTLS:
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    _ = read(client, &buffer, buffer.count)
                    let reply = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
                    _ = write(client, reply, reply.count)
                    close(client)
                }
            }
        }
    }

    /// Wakes the accepting thread, which closes the socket; a refusing one is closed here.
    func stop() {
        if behaviour == .refusing { close(fd) } else { shutdown(fd, Int32(SHUT_RDWR)) }
    }
}

private func transportError(_ url: String, timeout: TimeInterval = 5, environment: [String: String] = [:]) async -> HTTPTransportError? {
    do {
        _ = try await HTTPClient(timeout: timeout, environment: environment).send(HTTPRequest(url: URL(string: url)!))
        return nil
    } catch {
        return error as? HTTPTransportError
    }
}

@Suite struct HTTPClientTests {
    @Test func aRefusedConnectionIsTransientAndNamesOnlyTheHost() async throws {
        let listener = try RawListener(.refusing)
        defer { listener.stop() }
        let error = try #require(await transportError("http://127.0.0.1:\(listener.port)/path-secret?token=query-secret"))
        #expect(error.kind == .refused)
        #expect(error.isTransient)
        #expect(error.description.contains("http://127.0.0.1:\(listener.port)"))
        #expect(!error.description.contains("secret"))
    }

    @Test(.timeLimit(.minutes(1))) func aServerThatNeverAnswersEndsAtTheTimeout() async throws {
        let listener = try RawListener(.silent)
        defer { listener.stop() }
        let started = Date()
        let error = try #require(await transportError("http://127.0.0.1:\(listener.port)/", timeout: 0.5))
        let elapsed = Date().timeIntervalSince(started)
        #expect(error.kind == .timeout)
        #expect(error.isTransient)
        // Without the timeout this would never end: the time limit fails it then. No upper bound
        // on the wall clock, which a loaded machine can stretch past any number.
        #expect(elapsed >= 0.45, "took \(elapsed)s")
        #expect(error.description.contains("did not answer within"))
    }

    @Test func aConnectionClosedBeforeAnAnswerIsTransient() async throws {
        let listener = try RawListener(.close)
        defer { listener.stop() }
        let error = try #require(await transportError("http://127.0.0.1:\(listener.port)/"))
        #expect(error.kind == .connectionLost)
        #expect(error.isTransient)
    }

    @Test func aTLSFailureIsPermanent() async throws {
        let listener = try RawListener(.notTLS)
        defer { listener.stop() }
        let error = try #require(await transportError("https://127.0.0.1:\(listener.port)/"))
        #expect(error.kind == .tls)
        #expect(!error.isTransient)
    }

    @Test func aNonHTTPURLIsRefusedBeforeConnecting() async throws {
        let error = try #require(await transportError("ftp://127.0.0.1/file"))
        #expect(error.kind == .badURL)
        #expect(!error.isTransient)
    }

    @Test func aProxyThatIsNotListeningIsWhereTheRequestGoes() async throws {
        // The target listens; the proxy does not. Failing as refused proves the proxy was used.
        let target = try RawListener(.silent)
        defer { target.stop() }
        let proxy = try RawListener(.refusing)
        defer { proxy.stop() }
        let environment = ["http_proxy": "http://127.0.0.1:\(proxy.port)"]
        let viaProxy = try #require(await transportError("http://127.0.0.1:\(target.port)/", timeout: 2, environment: environment))
        #expect(viaProxy.kind == .refused)
        var bypass = environment
        bypass["NO_PROXY"] = "localhost,127.0.0.1"
        let direct = try #require(await transportError("http://127.0.0.1:\(target.port)/", timeout: 0.5, environment: bypass))
        #expect(direct.kind == .timeout)
    }
}

@Suite struct ProxySettingsTests {
    private func proxy(_ url: String, _ environment: [String: String]) throws -> String? {
        guard let proxy = try ProxySettings(environment: environment).proxy(for: URL(string: url)!) else { return nil }
        return "\(proxy.host):\(proxy.port)"
    }

    @Test func eachSchemeReadsItsOwnVariableThenAllProxy() throws {
        let environment = ["HTTPS_PROXY": "http://secure.proxy:3128", "http_proxy": "plain.proxy:8080", "ALL_PROXY": "http://all.proxy"]
        #expect(try proxy("https://sts.amazonaws.com/", environment) == "secure.proxy:3128")
        #expect(try proxy("http://127.0.0.1:5000/", environment) == "plain.proxy:8080")
        #expect(try proxy("https://vault.example/", ["ALL_PROXY": "http://all.proxy"]) == "all.proxy:80")
        #expect(try proxy("https://sts.amazonaws.com/", [:]) == nil)
        #expect(try proxy("https://sts.amazonaws.com/", ["http_proxy": "http://plain.proxy:1"]) == nil)
    }

    @Test func lowercaseWinsOverUppercase() throws {
        #expect(try proxy("https://a.example/", ["https_proxy": "http://low:1", "HTTPS_PROXY": "http://up:2"]) == "low:1")
    }

    @Test func noProxyMatchesHostsAndTheirSubdomains() throws {
        let settings = ProxySettings(environment: ["no_proxy": " .internal.example, 10.0.0.5:8200,[::1], vault "])
        #expect(settings.bypasses("internal.example"))
        #expect(settings.bypasses("sts.internal.example"))
        #expect(!settings.bypasses("notinternal.example"))
        #expect(settings.bypasses("10.0.0.5"))
        #expect(settings.bypasses("[::1]"))
        #expect(settings.bypasses("vault"))
        #expect(!settings.bypasses("sts.amazonaws.com"))
        #expect(ProxySettings(environment: ["NO_PROXY": "*"]).bypasses("anything.example"))
        #expect(try proxy("https://sts.internal.example/", ["https_proxy": "http://p:1", "no_proxy": "internal.example"]) == nil)
    }

    @Test func credentialsInTheProxyURLBecomeBasicAuthorization() throws {
        let parsed = try ProxySettings.parse("http://us%40er:p%3Ass@proxy.example:3128", variable: "HTTPS_PROXY")
        #expect(parsed.host == "proxy.example" && parsed.port == 3128)
        #expect(parsed.authorization == .basic(username: "us@er", password: "p:ss"))
    }

    @Test func anUnusableProxyIsAUsageErrorNamingTheVariable() throws {
        for value in ["https://proxy.example:443", "ftp://proxy.example", "http://"] {
            let error = #expect(throws: BrokerError.self) { try ProxySettings.parse(value, variable: "HTTPS_PROXY") }
            #expect(error?.exitCode == 2)
            #expect(error?.message.contains("HTTPS_PROXY") == true)
        }
    }
}
