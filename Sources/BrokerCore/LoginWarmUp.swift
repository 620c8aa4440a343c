import Foundation

/// A fresh process pays Swift's first-use costs (generic metadata, and for each new generic
/// type a scan of the ~11,500 protocol conformances in the binary) the first time it touches
/// the HTTP stack: starting the event loop threads and building a client is about 1.5 ms of a
/// 25 ms `login aws`, paid in sequence after the token arrives. A login starts this at once,
/// on another core, while it reads its flags, config and token; the client is thrown away, the
/// threads and the runtime's caches are the process's. It opens no connection.
public enum LoginWarmUp {
    public static func start() {
        // On one core it would only take turns with the login it means to speed up.
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else { return }
        Task.detached(priority: .userInitiated) {
            await HTTPClient.warmUp()
        }
    }
}

extension HTTPClient {
    /// Starts the event loop threads and builds (and shuts down) a client: its configuration
    /// and connection pool types are then ready for the login's real request.
    /// async-http-client also describes the event loop for its log metadata on every new
    /// connection, logging or not: a reflection pass that costs ~0.6 ms the first time.
    @discardableResult
    static func warmUp() async -> Bool {
        guard let url = URL(string: "http://127.0.0.1/"),
              let client = try? HTTPClient(timeout: 10, environment: [:]).makeClient(for: url) else { return false }
        _ = client.eventLoopGroup.next().description
        return (try? await client.shutdown()) != nil
    }
}
