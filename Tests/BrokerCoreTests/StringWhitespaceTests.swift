@testable import BrokerCore
import Foundation
import Testing

/// broker's one trim answers exactly as Foundation's `whitespacesAndNewlines` does.
@Suite struct StringWhitespaceTests {
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
