import Foundation

/// What a replica caches: discovery and JWKS bodies, the signer, the request tokens. Each is
/// fresh while its backend's stamp is unchanged (files), or for the refresh interval when the
/// backend has no stamp (OpenBao); the documents are also rebuilt once a minute, so a retired
/// key leaves the JWKS when its retention ends.
final class ServerState: @unchecked Sendable {
    struct Documents: Sendable {
        var discovery: Data
        var jwks: Data
    }

    private struct Cached<Value> {
        var value: Value
        var stamp: Date?
        var at: Date

        func isFresh(stamp current: Date?, refresh: TimeInterval, maxAge: TimeInterval = .infinity) -> Bool {
            let age = Date().timeIntervalSince(at)
            guard age < maxAge else { return false }
            return current == nil ? stamp == nil && age < refresh : stamp == current
        }
    }

    private let lock = NSLock()
    private var documents: Cached<Documents>?
    private var signer: Cached<any TokenSigning>?
    private var tokens: Cached<[RequestTokenStore.Entry]>?

    func documents(stamp: Date?, refresh: TimeInterval) -> Documents? {
        lock.withLock { documents.flatMap { $0.isFresh(stamp: stamp, refresh: refresh, maxAge: 60) ? $0.value : nil } }
    }
    func lastDocuments() -> Documents? { lock.withLock { documents?.value } }
    func store(_ value: Documents, stamp: Date?) { lock.withLock { documents = Cached(value: value, stamp: stamp, at: Date()) } }

    func signer(stamp: Date?, refresh: TimeInterval) -> (any TokenSigning)? {
        lock.withLock { signer.flatMap { $0.isFresh(stamp: stamp, refresh: refresh) ? $0.value : nil } }
    }
    func store(_ value: any TokenSigning, stamp: Date?) { lock.withLock { signer = Cached(value: value, stamp: stamp, at: Date()) } }
    func forgetSigner() { lock.withLock { signer = nil } }

    func requestTokens(stamp: Date?, refresh: TimeInterval) -> [RequestTokenStore.Entry]? {
        lock.withLock { tokens.flatMap { $0.isFresh(stamp: stamp, refresh: refresh) ? $0.value : nil } }
    }
    func store(_ value: [RequestTokenStore.Entry], stamp: Date?) { lock.withLock { tokens = Cached(value: value, stamp: stamp, at: Date()) } }
}
