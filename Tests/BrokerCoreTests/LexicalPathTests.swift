@testable import BrokerCore
import Foundation
import Testing

/// The login path's Foundation-free helpers answer exactly as Foundation does.
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

    @Test func theWhitespaceSetIsFoundations() {
        for value in UInt32(0) ... 0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(String.isTrimmedWhitespace(scalar) == CharacterSet.whitespacesAndNewlines.contains(scalar), "U+\(String(value, radix: 16))")
        }
    }

    @Test func trimmingWhitespaceIsFoundationsWhitespacesAndNewlines() {
        let samples = ["", " ", "\n\t eyJ.x.y \r\n", "\u{00A0}tok\u{2028}", "\u{3000}a b\u{0085}", "a", "\u{200B}a\u{200B}", "\u{FEFF}a"]
        for text in samples {
            #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map { $0.value })")
        }
    }
}
