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
                    _ = try? SecureFile.update(path) { data in
                        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                        return Data((text + "line\(index)\n").utf8)
                    }
                }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(Set(lines).count == 16)
        // Sixteen writers, one lock file at a time, none left behind.
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
    }

    @Test func aReadOnlyFileIsRefusedNotReplaced() throws {
        let path = temporaryDirectory() + "/credentials"
        try Data("[mine]\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o400)
        let error = try #require(throws: BrokerError.self) { try SecureFile.update(path) { _ in Data("new".utf8) } }
        #expect(error.kind == .usage && error.message.contains("\(path) is not writable (mode 400)"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[mine]\n")
        #expect(fileMode(path) == 0o400)
    }

    @Test func aSymlinkLoopIsRefusedNamingIt() throws {
        let root = temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: root + "/credentials", withDestinationPath: "l2")
        try FileManager.default.createSymbolicLink(atPath: root + "/l2", withDestinationPath: "credentials")
        let error = try #require(throws: BrokerError.self) { try SecureFile.update(root + "/credentials") { _ in Data("x".utf8) } }
        #expect(error.kind == .usage && error.message.contains("symbolic link loop"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/credentials") == "l2")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/l2") == "credentials")
    }

    @Test func aDeviceIsRefusedAsNotAFileWithoutBlamingPermissions() throws {
        let root = temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: root + "/credentials", withDestinationPath: "/dev/null")
        for attempt in [{ _ = try SecureFile.read(root + "/credentials") }, { try SecureFile.update(root + "/credentials") { _ in Data("x".utf8) } }] {
            let error = try #require(throws: BrokerError.self) { try attempt() }
            #expect(error.message.contains("is a character device"))
            #expect(!(error.hint ?? "").contains("permission"))
        }
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
    }

    @Test func staleTempFilesOfDeadWritersGoUnderTheLock() throws {
        let root = temporaryDirectory()
        let path = root + "/credentials"
        for suffix in ["AbC123", "zzzzzz"] {
            try Data("a full copy of secrets".utf8).write(to: URL(fileURLWithPath: root + "/.credentials.tmp." + suffix))
        }
        try Data("other".utf8).write(to: URL(fileURLWithPath: root + "/.config.tmp.AbC123"))
        #expect(SecureFile.temporaryFiles(of: path).count == 2)
        try SecureFile.update(path) { _ in Data("x".utf8) }
        #expect(SecureFile.temporaryFiles(of: path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: root + "/.config.tmp.AbC123"))
    }

    @Test func editAllWritesNothingWhenOneTargetIsRefused() throws {
        let root = temporaryDirectory()
        try Data("a".utf8).write(to: URL(fileURLWithPath: root + "/a"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: root + "/b"))
        chmod(root + "/b", 0o444)
        #expect(throws: BrokerError.self) {
            try SecureFile.editAll([root + "/a", root + "/b"]) { _ in [.write(Data("A".utf8)), .write(Data("B".utf8))] }
        }
        #expect(try String(contentsOfFile: root + "/a", encoding: .utf8) == "a")
    }

    @Test func streamedPiecesLandInOrderAndTheReadSeesTheWholeFile() throws {
        let path = temporaryDirectory() + "/big"
        let original = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)
        try Data(original).write(to: URL(fileURLWithPath: path))
        var seen: [UInt8]?
        let large = [UInt8](repeating: UInt8(ascii: "L"), count: 100_000)
        try SecureFile.editAllBytes([path]) { contents in
            seen = contents[0]
            return [.stream { emit in
                // Many small pieces around one large one: buffered writes keep the order.
                for index in 0 ..< 5000 { try Array("\(index),".utf8).withUnsafeBytes(emit) }
                try large.withUnsafeBytes(emit)
                try Array("end".utf8).withUnsafeBytes(emit)
            }]
        }
        #expect(seen == original)
        let expected = (0 ..< 5000).map { "\($0)," }.joined() + String(repeating: "L", count: 100_000) + "end"
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
