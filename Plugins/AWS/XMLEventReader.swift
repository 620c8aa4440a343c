/// A strict, non-validating XML 1.0 reader for small UTF-8 documents: elements, attributes,
/// character and entity references, CDATA, comments and processing instructions. It reports
/// start tags, text and end tags, and refuses anything that is not well-formed.
///
/// Written for STS answers instead of FoundationXML: linking FoundationXML loads libxml2 and
/// the system ICU into every broker process, about 4 ms before `main` on each run (a fifth of
/// what a whole `curl` call to STS takes). Document type declarations are refused outright, so
/// there are no external or custom entities to expand.
struct XMLEventReader {
    enum Event: Equatable {
        case start(String)
        case text(String)
        case end(String)
    }

    struct Failure: Error, Equatable {
        var reason: String
        var line: Int
        var column: Int
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Every event of the document, in order, or the first place it breaks the rules.
    static func events(of bytes: [UInt8]) throws(Failure) -> [Event] {
        var reader = XMLEventReader(bytes)
        return try reader.document()
    }

    private mutating func document() throws(Failure) -> [Event] {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw failure("the document is not UTF-8") }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        if starts(with: "<?xml") && isSpace(at: position + 5) { try skipProcessingInstruction() }
        try skipMisc()
        guard peek == UInt8(ascii: "<"), !starts(with: "</") else {
            throw failure(atEnd ? "the document has no root element" : "text before the root element")
        }
        var events: [Event] = []
        try element(into: &events)
        try skipMisc()
        guard atEnd else { throw failure("content after the root element") }
        return events
    }

    // MARK: elements

    private mutating func element(into events: inout [Event]) throws(Failure) {
        var open: [String] = []
        repeat {
            if starts(with: "</") {
                let tagStart = position
                position += 2
                let name = try name()
                skipSpaces()
                try expect(">")
                guard name == open.last else {
                    position = tagStart
                    throw failure("</\(name)> does not close <\(open.last ?? "")>")
                }
                open.removeLast()
                events.append(.end(name))
            } else if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<![CDATA[") {
                position += 9
                guard let close = find("]]>") else { throw failure("unterminated CDATA section") }
                if let control = bytes[position..<close].firstIndex(where: Self.isForbiddenControl) {
                    position = control
                    throw failure("a control character")
                }
                events.append(.text(text(position, close)))
                position = close + 3
            } else if starts(with: "<!") {
                throw failure("document type declarations are not accepted")
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else if peek == UInt8(ascii: "<") {
                position += 1
                let name = try name()
                try attributes()
                events.append(.start(name))
                if starts(with: "/>") {
                    position += 2
                    events.append(.end(name))
                } else {
                    try expect(">")
                    open.append(name)
                }
            } else {
                guard !atEnd else { throw failure("the document ends inside <\(open.last ?? "")>") }
                events.append(.text(try characterData()))
            }
        } while !open.isEmpty
    }

    private mutating func attributes() throws(Failure) {
        var seen: Set<String> = []
        while true {
            let spaced = skipSpaces()
            if peek == UInt8(ascii: ">") || starts(with: "/>") { return }
            guard spaced else { throw failure("expected whitespace between attributes") }
            let name = try name()
            guard seen.insert(name).inserted else { throw failure("attribute \(name) appears twice") }
            skipSpaces()
            try expect("=")
            skipSpaces()
            guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw failure("attribute \(name) has no quoted value")
            }
            position += 1
            while peek != quote {
                guard let byte = peek else { throw failure("unterminated attribute value") }
                if byte == UInt8(ascii: "<") { throw failure("'<' in attribute value") }
                if Self.isForbiddenControl(byte) { throw failure("a control character") }
                if byte == UInt8(ascii: "&") { _ = try reference() } else { position += 1 }
            }
            position += 1
        }
    }

    /// Text up to the next markup, with references replaced.
    private mutating func characterData() throws(Failure) -> String {
        var result: [UInt8] = []
        while let byte = peek, byte != UInt8(ascii: "<") {
            if byte == UInt8(ascii: "&") {
                result += try reference()
            } else {
                if starts(with: "]]>") { throw failure("']]>' in text") }
                if Self.isForbiddenControl(byte) { throw failure("a control character") }
                result.append(byte)
                position += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// `&lt;` and the other four predefined entities, `&#NN;` and `&#xHH;`, as UTF-8 bytes.
    private mutating func reference() throws(Failure) -> [UInt8] {
        position += 1
        guard let semicolon = bytes[position...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw failure("'&' that does not start a reference")
        }
        let body = text(position, semicolon)
        position = semicolon + 1
        switch body {
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "amp": return Array("&".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default: break
        }
        var value: UInt32?
        if body.hasPrefix("#x") {
            value = body.count > 2 && body.dropFirst(2).allSatisfy(\.isHexDigit) ? UInt32(body.dropFirst(2), radix: 16) : nil
        } else if body.hasPrefix("#") {
            value = body.count > 1 && body.dropFirst().allSatisfy({ ("0"..."9").contains($0) }) ? UInt32(body.dropFirst()) : nil
        } else {
            throw failure("unknown entity &\(body);")
        }
        guard let value, let scalar = Unicode.Scalar(value), Self.isXMLCharacter(scalar) else {
            throw failure("&\(body); is not a character XML allows")
        }
        return Array(String(Character(scalar)).utf8)
    }

    /// C0 controls other than tab, line feed and carriage return are not XML characters.
    private static func isForbiddenControl(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
    }

    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private mutating func name() throws(Failure) -> String {
        let start = position
        while let byte = peek, Self.isNameByte(byte) { position += 1 }
        guard position > start, !Self.isDigitDotOrHyphen(bytes[start]) else { throw failure("expected a name") }
        return text(start, position)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || isDigitDotOrHyphen(byte)
    }

    private static func isDigitDotOrHyphen(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    // MARK: comments, processing instructions, whitespace

    private mutating func skipMisc() throws(Failure) {
        while true {
            skipSpaces()
            if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<![CDATA[") {
                throw failure("CDATA outside the root element")
            } else if starts(with: "<!") {
                throw failure("document type declarations are not accepted")
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else {
                return
            }
        }
    }

    private mutating func skipComment() throws(Failure) {
        guard let close = find("--", from: position + 4) else { throw failure("unterminated comment") }
        guard close + 2 < bytes.count, bytes[close + 2] == UInt8(ascii: ">") else { throw failure("'--' inside a comment") }
        position = close + 3
    }

    private mutating func skipProcessingInstruction() throws(Failure) {
        let start = position
        position += 2
        let target = try name()
        // The XML declaration is allowed only as the very first thing in the document.
        if target.lowercased() == "xml" && start != (bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0) {
            throw failure("an XML declaration that is not at the start")
        }
        guard let close = find("?>") else { throw failure("unterminated processing instruction") }
        position = close + 2
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = position
        while isSpace(at: position) { position += 1 }
        return position > start
    }

    // MARK: bytes

    private var atEnd: Bool { position >= bytes.count }
    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func isSpace(at index: Int) -> Bool {
        index < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index])
    }

    private func starts(with literal: String) -> Bool {
        bytes[min(position, bytes.count)...].starts(with: literal.utf8)
    }

    private func find(_ literal: String, from start: Int? = nil) -> Int? {
        let needle = Array(literal.utf8)
        var index = start ?? position
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private mutating func expect(_ literal: String) throws(Failure) {
        guard starts(with: literal) else { throw failure(atEnd ? "the document ends early" : "expected '\(literal)'") }
        position += literal.utf8.count
    }

    private func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    /// Where reading stopped, as 1-based line and column (columns count bytes, like libxml2).
    private func failure(_ reason: String) -> Failure {
        let upTo = bytes[..<min(position, bytes.count)]
        let line = upTo.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = upTo.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return Failure(reason: reason, line: line, column: position - lineStart + 1)
    }
}
