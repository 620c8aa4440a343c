import AsyncHTTPClient
import BrokerCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import NIOSSL

/// HTTPS to a Vault behind a private CA. FoundationNetworking on Linux pins libcurl to the
/// system bundle, so requests that must trust `caCert` go through async-http-client instead.
struct PrivateCAClient: Sendable {
    let caCert: String
    let timeout: TimeInterval

    func send(_ request: URLRequest) async throws -> BrokerCore.HTTPClient.Response {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caCert)
        let client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton,
                                                configuration: .init(tlsConfiguration: tls))
        do {
            var outgoing = HTTPClientRequest(url: request.url!.absoluteString)
            outgoing.method = .RAW(value: request.httpMethod ?? "GET")
            for (name, value) in request.allHTTPHeaderFields ?? [:] { outgoing.headers.add(name: name, value: value) }
            if let body = request.httpBody { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return .init(status: Int(response.status.code), headers: [:], body: Data(body.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
