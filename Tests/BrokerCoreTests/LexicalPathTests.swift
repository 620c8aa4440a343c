@testable import BrokerCore
import Foundation
import Testing

/// The login path's Foundation-free path helpers answer exactly as Foundation does.
@Suite struct LexicalPathTests {
    /// Absolute paths, as callers pass (the working directory): Foundation's own
    /// `deletingLastPathComponent` trapped in this test process on relative ones ("", ".", "~").
    static let paths = ["/", "/a", "/a/b", "/a/b/", "//a", "/a//b", "/a/./b", "/a/../b", "/a/b/..", "/a/b/.", "/a b/ç", "/.git",
                        "/a/.hidden", "/a/..b", "/a/b..", "/a/b/../../..", "///"]

    @Test(arguments: paths) func standardizedAndParentAreNSStrings(path: String) {
        do {
            #expect(LexicalPath.standardized(path) == (path as NSString).standardizingPath, "\(path)")
            #expect(LexicalPath.parent(path) == (path as NSString).deletingLastPathComponent, "\(path)")
        }
    }

    @Test func onlyPlainAbsolutePathsTakeTheFastPath() {
        #expect(LexicalPath.isStandardAbsolute("/a/b") && LexicalPath.isStandardAbsolute("/"))
        for path in ["a", "/a/", "/a//b", "/a/./b", "/a/../b", "~/a", ""] { #expect(!LexicalPath.isStandardAbsolute(path), "\(path)") }
    }
}
