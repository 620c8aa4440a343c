import Foundation

/// A fresh process pays Swift's first-use costs (generic metadata, and for each new generic
/// type a scan of the ~11,500 protocol conformances in the binary) the first time it touches
/// the HTTP stack and the state file's Codable types: about 3 ms of a 25 ms `login aws`, paid
/// in sequence after the token arrives. A login starts this at once, on another core, while it
/// reads its flags, config and token; the work is thrown away, the runtime's caches it fills
/// are the process's. Nothing here reads or writes a file or opens a connection.
public enum LoginWarmUp {
    public static func start() {
        Task.detached(priority: .userInitiated) {
            StateStore.warmUp()
            await HTTPClient.warmUp()
        }
    }
}

extension StateStore {
    /// Encodes and decodes, in memory, a state file whose record has every field set; true
    /// when it comes back as it went (a field that stopped round-tripping would warm nothing).
    @discardableResult
    static func warmUp() -> Bool {
        let key = KeyChange(key: "k", before: "b", anchor: "a", gap: 1, after: "a")
        var target = WrittenTarget(kind: .section, path: "/p", section: "s", createdFile: true, createdSection: true,
                                   keys: [key], contentHash: "h", backup: "/b")
        target.earlierHashes = ["h"]
        // Whole seconds: the file keeps ISO 8601 times without fractions.
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        var file = File()
        file.logins = [Record(name: "n", adapter: "a", identity: "i", expiration: time, written: [target],
                              refresh: Refresh(tokenFile: "/t", audience: "a", sourceArguments: []), details: ["k": "v"],
                              adapterRecord: .object(["k": .string("v")]), recordedAt: time, loginID: "l", pending: true)]
        file.touched = ["/p"]
        let store = JSONFileStore<File>(path: "", empty: { File() }) { BrokerError.failure($0) }
        guard let data = try? JSONOutput.encode(file), let decoded = try? store.decode(data) else { return false }
        return decoded.logins == file.logins && decoded.touched == file.touched
    }
}

extension HTTPClient {
    /// Starts the event loop threads and builds (and shuts down) a client: its configuration
    /// and connection pool types are then ready for the login's real request.
    @discardableResult
    static func warmUp() async -> Bool {
        guard let url = URL(string: "http://127.0.0.1/"),
              let client = try? HTTPClient(timeout: 10, environment: [:]).makeClient(for: url) else { return false }
        return (try? await client.shutdown()) != nil
    }
}
