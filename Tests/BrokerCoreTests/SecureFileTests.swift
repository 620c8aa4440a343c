import BrokerCore
import Foundation
import Testing

@Suite struct SecureFileTests {
    @Test func writesPrivatelyIntoNewPrivateDirectories() throws {
        let root = temporaryDirectory()
        let path = root + "/a/b/secret"
        try SecureFile.write(Data("x".utf8), to: path)
        #expect(fileMode(path) == 0o600)
        #expect(fileMode(root + "/a") == 0o700)
        #expect(fileMode(root + "/a/b") == 0o700)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "x")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/a/b").filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
    }

    @Test func writesThroughSymlinksAndKeepsTheLink() throws {
        let root = temporaryDirectory()
        try Data("old".utf8).write(to: URL(fileURLWithPath: root + "/real"))
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "real")
        try SecureFile.write(Data("new".utf8), to: root + "/link")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/link") == "real")
        #expect(try String(contentsOfFile: root + "/real", encoding: .utf8) == "new")
    }

    @Test func updateLeavesTheFileAloneWhenTransformDeclines() throws {
        let root = temporaryDirectory()
        let path = root + "/f"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        let changed = try SecureFile.update(path) { _ in nil }
        #expect(!changed)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
    }

    @Test func failedTransformWritesNothing() throws {
        let root = temporaryDirectory()
        let path = root + "/f"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: BrokerError.self) {
            try SecureFile.update(path) { _ in throw BrokerError.failure("no") }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
    }

    @Test func concurrentUpdatesLoseNothing() async throws {
        let path = temporaryDirectory() + "/counter"
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try? SecureFile.update(path) { data in
                        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                        return Data((text + "line\(index)\n").utf8)
                    }
                }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(Set(lines).count == 16)
    }
}
