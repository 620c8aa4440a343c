import BrokerCore
import BrokerTestSupport
import Foundation
import Testing

@Suite struct GitWorkTreeTests {
    @Test func theNearestAncestorWithDotGitIsTheRootAndOnlyItsFilesAreInside() throws {
        let tree = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: tree + "/src/deep", withIntermediateDirectories: true)
        #expect(GitWorkTree.root(of: tree + "/src/deep") != tree)
        // A worktree's `.git` is a file: it counts too.
        try writeText("gitdir: /elsewhere\n", to: tree + "/.git")
        #expect(GitWorkTree.root(of: tree + "/src/deep") == tree)
        #expect(GitWorkTree.containing(tree + "/out/creds.json", from: tree + "/src") == tree)
        #expect(GitWorkTree.containing(tree + "-other/creds.json", from: tree + "/src") == nil)
        #expect(GitWorkTree.containing(tree + "/creds.json", from: nil) == nil)
    }
}
