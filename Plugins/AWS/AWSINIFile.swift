import BrokerCore
import Foundation

/// An AWS shared config or credentials file, read the way botocore reads it (Python's
/// `configparser.RawConfigParser`) but kept as its original lines, so everything we do not
/// change survives byte for byte: comments, blank lines, spacing, CRLF, a missing final newline.
///
/// Lines are slices of the file's bytes, and an edit re-reads only the section it touched, so
/// parsing and editing stay linear in the file's size (a credentials file may hold thousands of
/// profiles, and the edit runs under the file's lock).
public struct AWSINIFile: Sendable, Equatable {
    /// Used in error messages only.
    public let path: String
    /// The bytes parsed; unchanged lines are slices of it.
    private let storage: [UInt8]
    private var lines: [Line]
    private var sectionList: [Section]
    /// The first section of each name (only `[DEFAULT]` may repeat).
    private var sectionIndex: [String: Int]
    /// The file's own line ending, used for lines we add.
    private let newline: Ending
    private let endsWithNewline: Bool

    /// Parses `text`. Anything botocore would refuse to parse (a duplicate key or section, a
    /// key line before any section, a line that is neither key, comment nor header) is an error
    /// naming the file and line, never the line's content (it may be a secret).
    public init(text: String, path: String) throws {
        try self.init(bytes: Array(text.utf8), path: path)
    }

    /// Parses file contents as `SecureFile.read`/`update` hand them over: nil is an empty file.
    public init(contents: Data?, path: String) throws {
        // One memcpy (a plain conversion copies byte by byte).
        try self.init(fileBytes: contents.map { data in data.withUnsafeBytes { [UInt8]($0) } }, path: path)
    }

    /// Parses file contents as `SecureFile.editAllBytes` hands them over (nil: an empty file),
    /// keeping the array itself as the storage lines are sliced from.
    public init(fileBytes: [UInt8]?, path: String) throws {
        let bytes = fileBytes ?? []
        // Checked without dropping a BOM or replacing bad bytes, so writing back is lossless.
        guard Self.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else {
            throw BrokerError.usage("\(path) is not valid UTF-8", hint: "save it as UTF-8 text")
        }
        try self.init(bytes: bytes, path: path)
    }

    private init(bytes: [UInt8], path: String) throws {
        self.path = path
        storage = bytes
        lines = Self.splitLines(bytes, inStorage: true)
        newline = lines.first(where: { $0.ending != .missing })?.ending ?? .lf
        endsWithNewline = lines.last.map { $0.ending != .missing } ?? true
        let analysis = Self.analyze(lines, 0 ..< lines.count)
        if let problem = analysis.problems.first {
            throw BrokerError.usage("\(path) line \(problem.line + 1): \(problem.message)",
                                    hint: problem.hint + "; botocore cannot read the file either")
        }
        sectionList = analysis.sections
        sectionIndex = [:]
        for (index, section) in sectionList.enumerated() where sectionIndex[section.name] == nil {
            sectionIndex[section.name] = index
        }
    }

    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(lines.reduce(0) { $0 + $1.content.count + 2 })
        for line in lines {
            result.append(contentsOf: line.content)
            result.append(contentsOf: line.ending.bytes)
        }
        return result
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The file's bytes.
    public var data: Data {
        var result = Data(capacity: lines.reduce(0) { $0 + $1.content.count + $1.ending.width })
        emitPieces { result.append(contentsOf: $0) }
        return result
    }

    /// Hands the file's bytes to `emit` in pieces. Lines still lying next to each other in the
    /// bytes read go as one run: a large file edited in one place is a few pieces, no copy.
    public func emitPieces(_ emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try storage.withUnsafeBytes { raw in
            var run = 0 ..< 0
            func flush() throws {
                if !run.isEmpty { try emit(UnsafeRawBufferPointer(rebasing: raw[run])) }
                run = 0 ..< 0
            }
            for line in lines {
                let end = line.content.endIndex
                if line.inStorage, line.ending.isStored(in: raw, at: end) {
                    if !run.isEmpty && run.upperBound == line.content.startIndex {
                        run = run.lowerBound ..< end + line.ending.width
                    } else {
                        try flush()
                        run = line.content.startIndex ..< end + line.ending.width
                    }
                    continue
                }
                try flush()
                try line.content.withUnsafeBytes { try emit($0) }
                try line.ending.bytes.withUnsafeBytes { try emit($0) }
            }
            try flush()
        }
    }

    /// True when the file's bytes are exactly `contents` (nil: empty), compared piece by piece.
    public func isUnchanged(from contents: [UInt8]?) -> Bool {
        let original = contents ?? []
        var offset = 0
        var same = true
        original.withUnsafeBytes { raw in
            emitPieces { piece in
                guard same else { return }
                if offset + piece.count > raw.count
                    || (piece.count > 0 && memcmp(raw.baseAddress! + offset, piece.baseAddress!, piece.count) != 0) {
                    same = false
                }
                offset += piece.count
            }
        }
        return same && offset == original.count
    }

    /// Eight bytes at a time: most credentials files are pure ASCII, and then valid UTF-8.
    static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var index = 0
            var seen: UInt64 = 0
            while index + 8 <= raw.count {
                seen |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            }
            while index < raw.count {
                seen |= UInt64(raw[index])
                index += 1
            }
            return seen & 0x8080_8080_8080_8080 == 0
        }
    }

    public var sections: [String] { sectionList.map(\.name) }

    public func hasSection(_ name: String) -> Bool { sectionIndex[name] != nil }

    /// Keys of a section, lowercased as botocore sees them, in file order.
    public func keys(section name: String) -> [String] {
        section(named: name)?.entries.map(\.key) ?? []
    }

    /// True when the section holds no keys and no comments, only its header and blank lines.
    public func isBare(section name: String) -> Bool {
        guard let section = section(named: name) else { return false }
        return section.entries.isEmpty
            && !lines[section.header + 1 ..< section.end].contains { Self.classify($0.content) == .comment }
    }

    /// The value botocore sees: continuation lines joined with newlines, trailing space dropped.
    public func value(section name: String, key: String) -> String? {
        guard let entry = section(named: name)?.entries.first(where: { $0.key == key.lowercased() }) else {
            return nil
        }
        let first = Self.splitAtDelimiter(Self.strip(Self.string(lines[entry.line].content))).map { Self.strip($0.rest) } ?? ""
        let rest = entry.valueLines.map { Self.strip(Self.string(lines[$0].content)) }
        return Self.stripTrailing(([first] + rest).joined(separator: "\n"))
    }

    /// Sets keys in one section, creating it at the end of the file when missing. An existing
    /// key is rewritten on its own line (keeping its spelling and separator); a new key goes
    /// after the section's last key, before trailing blank lines and comments.
    public mutating func set(section name: String, values: [(key: String, value: String)]) throws {
        try Self.validate(sectionName: name)
        for (key, value) in values { try Self.validate(key: key, value: value, path: path) }
        if section(named: name) == nil { appendSection(name) }
        for (key, value) in values {
            let index = sectionIndex[name]!
            let section = sectionList[index]
            if let entry = section.entries.first(where: { $0.key == key.lowercased() }) {
                let content = Self.replacingValue(in: Self.string(lines[entry.line].content), with: value)
                var replaced = Line(content: ArraySlice(content.utf8), ending: lines[entry.line].ending)
                if replaced.ending == .missing && entry.line != lines.count - 1 { replaced.ending = newline }
                replace(entry.line ..< entry.line + 1, with: [replaced], inSection: index)
                deleteLines(entry.valueLines, inSection: index)
            } else {
                let anchor = section.entries.last
                let line = newKeyIndent(section) + key + (value.isEmpty ? " =" : " = " + value)
                let at = (anchor?.last ?? section.header) + 1
                replace(at ..< at, with: [Line(content: ArraySlice(line.utf8), ending: newline)], inSection: index)
            }
        }
    }

    /// Removes keys (with their continuation lines) from one section; the header stays.
    public mutating func remove(section name: String, keys: [String]) {
        let wanted = Set(keys.map { $0.lowercased() })
        guard let index = sectionIndex[name] else { return }
        let doomed = sectionList[index].entries.filter { wanted.contains($0.key) }.flatMap { [$0.line] + $0.valueLines }
        deleteLines(doomed, inSection: index)
    }

    /// Removes a whole section. Comments at its end stay, since they usually describe the next
    /// section; blank lines that only separated it from its neighbours go with it.
    public mutating func removeSection(_ name: String) {
        guard let index = sectionIndex[name] else { return }
        let section = sectionList[index]
        let contentEnd = section.entries.last?.last ?? section.header
        var range = section.header ..< section.end
        if let comment = (contentEnd + 1 ..< section.end).first(where: { Self.classify(lines[$0].content) == .comment }) {
            range = section.header ..< comment
        } else if section.end == lines.count {
            // appendSection put exactly one blank line before a section it added at the end:
            // take just that one, so a login then a logout leaves the file byte for byte.
            let start = section.header > 0 && Self.classify(lines[section.header - 1].content) == .blank ? section.header - 1 : section.header
            range = start ..< section.end
        }
        lines.removeSubrange(range)
        fixEndings(around: range.lowerBound, count: 0)
        sectionList = Self.analyze(lines, 0 ..< lines.count).sections
        keepHeaderAfterDeletion(at: range.lowerBound)
        // Once per logout: reading the whole file again is simpler than patching neighbours.
        sectionList = Self.analyze(lines, 0 ..< lines.count).sections
        rebuildIndex()
    }

    // MARK: Undo

    /// A key as it stands: its exact lines, the value botocore reads, and where it sits.
    public struct KeyLines: Sendable, Equatable {
        /// The key's line and its continuation lines, each with its line ending.
        public var text: String
        public var value: String
        /// The key before it in the section (nil: it is the first), and how many lines stand between.
        public var anchor: String?
        public var gap: Int
    }

    public func keyLines(section name: String, key: String) -> KeyLines? {
        guard let section = section(named: name),
              let position = section.entries.firstIndex(where: { $0.key == key.lowercased() }) else { return nil }
        let entry = section.entries[position]
        let previous = position > 0 ? section.entries[position - 1] : nil
        var text: [UInt8] = []
        // The whole span, with comments between continuation lines: they stay where they are
        // when the key goes, and `restore` takes them back into place.
        for index in entry.line ... entry.last {
            text += lines[index].content
            // Kept as it is, even a last line's missing ending: `restore` gives it one only
            // where the line no longer ends the file.
            text += lines[index].ending.bytes
        }
        return KeyLines(text: String(decoding: text, as: UTF8.self), value: value(section: name, key: key) ?? "",
                        anchor: previous?.key, gap: entry.line - (previous?.last ?? section.header) - 1)
    }

    /// Puts a key back as `text` (exact lines, from `keyLines`), or removes it when `text` is nil.
    /// It goes after `anchor`, `gap` lines on, where it was (a key that moved while broker owned
    /// it moves back); with no known position it is replaced where it stands. Returns false
    /// when the section is gone.
    @discardableResult
    public mutating func restore(section name: String, key: String, text: String?, anchor: String?, gap: Int?) -> Bool {
        guard let index = sectionIndex[name] else { return text == nil }
        var restored = text.map { Self.splitLines(Array($0.utf8)) } ?? []
        let endsFile = restored.last?.ending == .missing
        for position in restored.indices where restored[position].ending == .missing { restored[position].ending = newline }
        defer {
            // The key ended the file without a final newline: so it does again.
            if endsFile, let last = lines.indices.last, lines[last].content == restored.last?.content { lines[last].ending = .missing }
        }
        // Comments that stood between the key's continuation lines stayed behind when broker
        // replaced or removed it; they are the lines right where the key goes back.
        let interleaved = restored.dropFirst().filter { Self.classify($0.content) == .comment }.map(\.content)
        func absorbing(_ start: Int) -> Int {
            let end = start + interleaved.count
            guard !interleaved.isEmpty, end <= sectionList[index].end, lines[start ..< end].map(\.content) == interleaved else { return start }
            return end
        }
        var section = sectionList[index]
        if let entry = section.entries.first(where: { $0.key == key.lowercased() }) {
            deleteLines(entry.valueLines, inSection: index)
            if gap == nil || restored.isEmpty {
                let end = restored.isEmpty ? entry.line + 1 : absorbing(entry.line + 1)
                replace(entry.line ..< end, with: restored, inSection: index)
                return true
            }
            replace(entry.line ..< entry.line + 1, with: [], inSection: index)
            section = sectionList[index]
        }
        guard !restored.isEmpty else { return true }
        let after = anchor.flatMap { anchor in section.entries.first { $0.key == anchor } }?.last ?? section.header
        let nextEntry = section.entries.first { $0.line > after }?.line ?? section.end
        let at = min(after + 1 + max(0, gap ?? 0), nextEntry)
        replace(at ..< absorbing(at), with: restored, inSection: index)
        return true
    }

    // MARK: Config file profile names

    /// The header the config file uses for a profile: `[default]` or `[profile NAME]`.
    public static func configSectionName(profile: String) -> String {
        profile == "default" ? "default" : "profile \(profile)"
    }

    /// The existing config section botocore reads for `profile`. botocore splits headers
    /// shell-style (`[profile  x]` and `[profile "x"]` also name x) and the last match wins.
    public func configSection(profile: String) -> String? {
        sectionList.last { section in
            if profile == "default" && section.name == "default" { return true }
            guard section.name.hasPrefix("profile"), let words = try? ShellWords.split(section.name) else { return false }
            return words == ["profile", profile]
        }?.name
    }

    // MARK: Editing lines

    private func section(named name: String) -> Section? {
        sectionIndex[name].map { sectionList[$0] }
    }

    /// configparser reads a line indented deeper than the last key as that key's continuation.
    /// After a key, the next header is never deeper than that key, so the key's indent is safe.
    /// Right after a header, the next header may be deeper: then match it.
    private func newKeyIndent(_ section: Section) -> String {
        if let anchor = section.entries.last { return Self.leadingSpace(Self.string(lines[anchor.line].content)) }
        let own = Self.leadingSpace(Self.string(lines[section.header].content))
        guard section.end < lines.count else { return own }
        let next = Self.leadingSpace(Self.string(lines[section.end].content))
        return next.unicodeScalars.count > own.unicodeScalars.count ? next : own
    }

    /// After deleting lines, the next header may follow a key that is less indented than it,
    /// which would turn it into that key's continuation: align it with the key instead.
    private mutating func keepHeaderAfterDeletion(at index: Int) {
        guard let next = (index ..< lines.count).first(where: { !Self.isBlankOrComment(lines[$0].content) }),
              let previous = (0 ..< index).last(where: { !Self.isBlankOrComment(lines[$0].content) }),
              let owner = sectionList.lastIndex(where: { $0.header <= previous }),
              let entry = sectionList[owner].entries.first(where: { $0.line == previous || $0.valueLines.contains(previous) })
        else { return }
        let keyIndent = Self.leadingSpace(Self.string(lines[entry.line].content))
        let content = Self.string(lines[next].content)
        if Self.leadingSpace(content).unicodeScalars.count > keyIndent.unicodeScalars.count {
            let aligned = keyIndent + String(content.unicodeScalars.drop(while: Self.isSpace))
            lines[next].content = ArraySlice(aligned.utf8)
            lines[next].inStorage = false
        }
    }

    private mutating func appendSection(_ name: String) {
        var new: [Line] = []
        // Always one separator, so removeSection can undo it exactly.
        if !lines.isEmpty { new.append(Line(content: [], ending: newline)) }
        new.append(Line(content: ArraySlice("[\(name)]".utf8), ending: newline))
        let start = lines.count
        lines.append(contentsOf: new)
        fixEndings(around: start, count: new.count)
        let added = Self.analyze(lines, start ..< lines.count).sections
        // The section that was last now ends where the new one starts.
        if let last = sectionList.indices.last, let header = added.first?.header { sectionList[last].end = header }
        sectionList += added
        rebuildIndex()
    }

    private mutating func deleteLines(_ indices: [Int], inSection index: Int) {
        for line in Set(indices).sorted(by: >) { replace(line ..< line + 1, with: [], inSection: index) }
    }

    /// Replaces lines inside one section, then reads that section again and moves the ones
    /// after it: the work is proportional to the section, not to the file.
    private mutating func replace(_ range: Range<Int>, with new: [Line], inSection index: Int) {
        lines.replaceSubrange(range, with: new)
        fixEndings(around: range.lowerBound, count: new.count)
        let delta = new.count - range.count
        let section = sectionList[index]
        let reread = Self.analyze(lines, section.header ..< section.end + delta).sections
        if reread.count == 1 {
            sectionList[index] = reread[0]
            shiftSections(from: index + 1, by: delta)
        } else {
            // Cannot happen with the indents we choose; stay correct if it ever does.
            sectionList = Self.analyze(lines, 0 ..< lines.count).sections
            rebuildIndex()
        }
    }

    /// Every line but the last ends with a newline; the last one keeps the file's original choice.
    private mutating func fixEndings(around start: Int, count: Int) {
        for index in max(0, start - 1) ..< min(lines.count, start + count + 1) where lines[index].ending == .missing {
            lines[index].ending = newline
        }
        if let last = lines.indices.last {
            if endsWithNewline || lines[last].content.isEmpty {
                // An empty last line without an ending would vanish: it keeps one.
                if lines[last].ending == .missing { lines[last].ending = newline }
            } else {
                lines[last].ending = .missing
            }
        }
    }

    private mutating func shiftSections(from index: Int, by delta: Int) {
        guard delta != 0 else { return }
        for position in index ..< sectionList.count { sectionList[position].shift(by: delta) }
    }

    private mutating func rebuildIndex() {
        sectionIndex = [:]
        for (index, section) in sectionList.enumerated() where sectionIndex[section.name] == nil {
            sectionIndex[section.name] = index
        }
    }

    private static func replacingValue(in content: String, with value: String) -> String {
        guard let parts = splitAtDelimiter(content) else { return content }
        let spacing = strip(parts.rest).isEmpty ? " " : leadingSpace(parts.rest)
        return parts.key + parts.delimiter + (value.isEmpty ? "" : spacing + value)
    }

    private static func validate(sectionName: String) throws {
        if sectionName.isEmpty || sectionName.contains(where: { $0.isNewline }) {
            throw BrokerError.usage("'\(sectionName)' cannot be an INI section name", hint: "use a non-empty single-line name")
        }
    }

    private static func validate(key: String, value: String, path: String) throws {
        if key.isEmpty || strip(key) != key || key.unicodeScalars.contains(where: { $0 == "=" || $0 == ":" })
            || key.contains(where: { $0.isNewline })
            || isComment(key) || key.hasPrefix("[") {
            throw BrokerError.usage("'\(key)' cannot be a key in \(path)",
                                    hint: "keys are single words without '=', ':' or a leading '#', ';' or '['")
        }
        // Values are not echoed: they are usually secrets.
        if value.contains(where: { $0.isNewline }) || strip(value) != value {
            throw BrokerError.usage("the value for \(key) in \(path) has a line break or surrounding spaces",
                                    hint: "botocore would read a different value than the one written")
        }
    }
}

// MARK: Reading the structure the way configparser does

extension AWSINIFile {
    enum Ending: UInt8, Sendable {
        case missing, lf, crlf, cr
        var bytes: [UInt8] {
            switch self {
            case .missing: []
            case .lf: [0x0A]
            case .crlf: [0x0D, 0x0A]
            case .cr: [0x0D]
            }
        }
        /// True when `raw` holds exactly this ending at `offset`.
        func isStored(in raw: UnsafeRawBufferPointer, at offset: Int) -> Bool {
            switch self {
            case .missing: true
            case .lf: offset < raw.count && raw[offset] == 0x0A
            case .cr: offset < raw.count && raw[offset] == 0x0D && (offset + 1 == raw.count || raw[offset + 1] != 0x0A)
            case .crlf: offset + 1 < raw.count && raw[offset] == 0x0D && raw[offset + 1] == 0x0A
            }
        }

        var width: Int {
            switch self {
            case .missing: 0
            case .lf, .cr: 1
            case .crlf: 2
            }
        }
    }

    struct Line: Sendable, Equatable {
        var content: ArraySlice<UInt8>
        var ending: Ending
        /// Still the bytes read from the file, at their place (`data` copies those in runs).
        var inStorage = false
    }

    struct Entry: Sendable, Equatable {
        var key: String
        var line: Int
        /// Continuation lines and the blank lines between them (not comments: configparser skips those).
        var valueLines: [Int]
        var last: Int { valueLines.last ?? line }
    }

    struct Section: Sendable, Equatable {
        var name: String
        var header: Int
        var entries: [Entry]
        /// Index of the next header, or the line count.
        var end: Int

        mutating func shift(by delta: Int) {
            header += delta
            end += delta
            for index in entries.indices {
                entries[index].line += delta
                for value in entries[index].valueLines.indices { entries[index].valueLines[value] += delta }
            }
        }
    }

    struct Problem {
        var line: Int
        var message: String
        var hint: String
    }

    /// Splits on `\n`, `\r\n` and a lone `\r`, the line breaks Python's text mode knows.
    static func splitLines(_ bytes: [UInt8], inStorage: Bool = false) -> [Line] {
        var result: [Line] = []
        var start = 0
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            func find(_ byte: UInt8, from: Int, to: Int) -> Int? {
                guard from < to, let found = memchr(base + from, Int32(byte), to - from) else { return nil }
                return UnsafeRawPointer(found) - UnsafeRawPointer(base)
            }
            while start < count {
                let lineFeed = find(0x0A, from: start, to: count)
                let stop = lineFeed ?? count
                if let carriageReturn = find(0x0D, from: start, to: stop) {
                    if carriageReturn + 1 == lineFeed {
                        result.append(Line(content: bytes[start ..< carriageReturn], ending: .crlf, inStorage: inStorage))
                        start = carriageReturn + 2
                    } else {
                        result.append(Line(content: bytes[start ..< carriageReturn], ending: .cr, inStorage: inStorage))
                        start = carriageReturn + 1
                    }
                } else if let lineFeed {
                    result.append(Line(content: bytes[start ..< lineFeed], ending: .lf, inStorage: inStorage))
                    start = lineFeed + 1
                } else {
                    result.append(Line(content: bytes[start ..< count], ending: .missing, inStorage: inStorage))
                    start = count
                }
            }
        }
        return result
    }

    /// What configparser makes of one line.
    enum Kind: Equatable {
        case blank, comment
        case header(String)
        /// A `key = value` line, with the key as compared (stripped, lowercased).
        case key(String)
        case other
    }

    /// Classifies a line. Pure ASCII prefixes (the usual case, however long the value) are read
    /// as bytes; anything else takes the exact Unicode rules of Python's `str.isspace`.
    static func classify(_ content: ArraySlice<UInt8>) -> Kind {
        classifyWithIndent(content).kind
    }

    static func classifyWithIndent(_ content: ArraySlice<UInt8>) -> (kind: Kind, indent: Int) {
        var index = content.startIndex
        while index < content.endIndex, isASCIISpace(content[index]) { index += 1 }
        guard index < content.endIndex else { return (.blank, content.count) }
        let first = content[index]
        if first >= 0x80 { return slowClassify(string(content)) }
        let indent = index - content.startIndex
        switch first {
        case UInt8(ascii: "#"), UInt8(ascii: ";"):
            return (.comment, indent)
        case UInt8(ascii: "["):
            // `[name]`: up to the last `]` of the stripped line.
            var end = content.endIndex
            while end > index, isASCIISpace(content[end - 1]) { end -= 1 }
            guard !content[index ..< end].contains(where: { $0 >= 0x80 }) else { return slowClassify(string(content)) }
            if let close = content[index ..< end].lastIndex(of: UInt8(ascii: "]")), close - index >= 2 {
                return (.header(String(decoding: content[(index + 1) ..< close], as: UTF8.self)), indent)
            }
            return slowClassify(string(content))
        default:
            var cursor = index
            while cursor < content.endIndex, content[cursor] != UInt8(ascii: "="), content[cursor] != UInt8(ascii: ":") {
                if content[cursor] >= 0x80 { return slowClassify(string(content)) }
                cursor += 1
            }
            guard cursor < content.endIndex else {
                // No delimiter: configparser refuses the line (a non-ASCII space at the end changes nothing).
                return (.other, indent)
            }
            var keyEnd = cursor
            while keyEnd > index, isASCIISpace(content[keyEnd - 1]) { keyEnd -= 1 }
            let key = content[index ..< keyEnd]
            let hasUpper = key.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
            let text = String(decoding: key, as: UTF8.self)
            return (.key(hasUpper ? text.lowercased() : text), indent)
        }
    }

    private static func slowClassify(_ text: String) -> (kind: Kind, indent: Int) {
        let indent = text.unicodeScalars.prefix(while: isSpace).count
        let stripped = strip(text)
        if stripped.isEmpty { return (.blank, indent) }
        if stripped.hasPrefix("#") || stripped.hasPrefix(";") { return (.comment, indent) }
        if let name = headerName(stripped) { return (.header(name), indent) }
        guard let parts = splitAtDelimiter(stripped) else { return (.other, indent) }
        return (.key(stripTrailing(parts.key).lowercased()), indent)
    }

    /// Mirrors `RawConfigParser._read` (strict, no inline comments, empty lines allowed in
    /// values): a line indented deeper than the last key line continues that key's value.
    /// Reads `range`, which starts at a header or at the top of the file.
    static func analyze(_ lines: [Line], _ range: Range<Int>) -> (sections: [Section], problems: [Problem]) {
        var sections: [Section] = []
        var problems: [Problem] = []
        var names = Set<String>()
        var keys = Set<String>()
        var current: Int?
        var hasEntry = false
        var indentLevel = 0
        var pendingBlanks: [Int] = []
        var seenDefault = false

        for number in range {
            let content = lines[number].content
            // Continuation lines only need their indent: keep long values out of the slow path.
            let (kind, indent) = classifyWithIndent(content)
            switch kind {
            case .comment: continue
            case .blank:
                if hasEntry { pendingBlanks.append(number) }
                continue
            default: break
            }
            if let current, hasEntry, indent > indentLevel {
                let last = sections[current].entries.count - 1
                sections[current].entries[last].valueLines += pendingBlanks + [number]
                pendingBlanks = []
                continue
            }
            pendingBlanks = []
            indentLevel = indent
            if case .header(let name) = kind {
                // configparser keeps [DEFAULT] apart and lets it repeat; every other name is unique.
                if names.contains(name) && !(name == "DEFAULT" && seenDefault) {
                    problems.append(Problem(line: number, message: "section [\(name)] appears twice",
                                            hint: "merge the two [\(name)] sections into one"))
                }
                names.insert(name)
                seenDefault = seenDefault || name == "DEFAULT"
                if let current { sections[current].end = number }
                sections.append(Section(name: name, header: number, entries: [], end: range.upperBound))
                current = sections.count - 1
                keys = []
                hasEntry = false
                continue
            }
            guard let current else {
                if number == 0 && content.starts(with: [0xEF, 0xBB, 0xBF]) {
                    problems.append(Problem(line: number, message: "the file starts with a UTF-8 byte order mark",
                                            hint: "save it as UTF-8 without BOM"))
                } else {
                    problems.append(Problem(line: number, message: "a key appears before any [section] header",
                                            hint: "put it under a [section] header or comment it out with '#'"))
                }
                continue
            }
            guard case .key(let key) = kind else {
                problems.append(Problem(line: number, message: "in section [\(sections[current].name)]: line is not 'key = value', a comment or a [section] header",
                                        hint: "fix or comment out that line"))
                continue
            }
            if key.isEmpty {
                problems.append(Problem(line: number, message: "in section [\(sections[current].name)]: a line starts with '=' or ':' and has no key",
                                        hint: "fix or comment out that line"))
            } else if sections[current].entries.count < 32
                        ? sections[current].entries.contains(where: { $0.key == key })
                        : keys.contains(key) {
                problems.append(Problem(line: number, message: "duplicate key '\(key)' in section [\(sections[current].name)]",
                                        hint: "keep only one '\(key)' line in [\(sections[current].name)] (keys ignore case)"))
            }
            // A set only pays for itself in long sections.
            if sections[current].entries.count == 31 { keys = Set(sections[current].entries.map(\.key)) }
            if sections[current].entries.count >= 31 { keys.insert(key) }
            sections[current].entries.append(Entry(key: key, line: number, valueLines: []))
            hasEntry = true
        }
        return (sections, problems)
    }

    static func string(_ content: ArraySlice<UInt8>) -> String { String(decoding: content, as: UTF8.self) }

    /// The ASCII members of Python's `str.isspace`: tab, LF, VT, FF, CR, the separators
    /// U+001C...U+001F, and space.
    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09 ... 0x0D).contains(byte) || (0x1C ... 0x1F).contains(byte)
    }

    /// `\[(?P<header>.+)\]` matched at the start: everything up to the last `]`.
    static func headerName(_ stripped: String) -> String? {
        let scalars = stripped.unicodeScalars
        guard scalars.first == "[", let close = scalars.lastIndex(of: "]"),
              scalars.distance(from: scalars.startIndex, to: close) >= 2 else { return nil }
        return String(scalars[scalars.index(after: scalars.startIndex) ..< close])
    }

    /// The first `=` or `:` separates key and value (configparser's non-greedy key pattern).
    static func splitAtDelimiter(_ text: String) -> (key: String, delimiter: String, rest: String)? {
        let scalars = text.unicodeScalars
        guard let index = scalars.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        return (String(scalars[..<index]), String(scalars[index]), String(scalars[scalars.index(after: index)...]))
    }

    static func leadingSpace(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(while: isSpace)))
    }

    static func isBlankOrComment(_ content: ArraySlice<UInt8>) -> Bool {
        let kind = classify(content)
        return kind == .blank || kind == .comment
    }

    static func isComment(_ content: String) -> Bool {
        let stripped = strip(content)
        return stripped.hasPrefix("#") || stripped.hasPrefix(";")
    }

    /// Python's `str.isspace`: Unicode white space plus the separators U+001C...U+001F.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C ... 0x1F).contains(scalar.value)
    }

    static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first ... last])
    }

    static func stripTrailing(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[...last])
    }
}
