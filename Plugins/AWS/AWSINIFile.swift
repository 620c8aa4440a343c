import BrokerCore
import Foundation

/// An AWS shared config or credentials file, read the way botocore reads it (Python's
/// `configparser.RawConfigParser`) but kept as its original lines, so everything we do not
/// change survives byte for byte: comments, blank lines, spacing, CRLF, a missing final newline.
public struct AWSINIFile: Sendable, Equatable {
    /// Used in error messages only.
    public let path: String
    private var lines: [Line]
    private var sectionList: [Section]
    /// The file's own line ending, used for lines we add.
    private let newline: String
    private let endsWithNewline: Bool

    /// Parses `text`. Anything botocore would refuse to parse (a duplicate key or section, a
    /// key line before any section, a line that is neither key, comment nor header) is an error
    /// naming the file and line, never the line's content (it may be a secret).
    public init(text: String, path: String) throws {
        self.path = path
        lines = Self.splitLines(text)
        newline = lines.first(where: { !$0.ending.isEmpty })?.ending ?? "\n"
        endsWithNewline = lines.last.map { !$0.ending.isEmpty } ?? true
        let analysis = Self.analyze(lines)
        if let problem = analysis.problems.first {
            throw BrokerError.usage("\(path) line \(problem.line + 1): \(problem.message)",
                                    hint: problem.hint + "; botocore cannot read the file either")
        }
        sectionList = analysis.sections
    }

    /// Parses file contents as `SecureFile.read`/`update` hand them over: nil is an empty file.
    public init(contents: Data?, path: String) throws {
        guard let contents else {
            try self.init(text: "", path: path)
            return
        }
        // Decode without dropping a BOM or replacing bad bytes, so writing back is lossless.
        let text = String(decoding: contents, as: UTF8.self)
        guard Data(text.utf8) == contents else {
            throw BrokerError.usage("\(path) is not valid UTF-8", hint: "save it as UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    public var text: String { lines.map { $0.content + $0.ending }.joined() }
    public var data: Data { Data(text.utf8) }

    public var sections: [String] { sectionList.map(\.name) }

    public func hasSection(_ name: String) -> Bool { section(named: name) != nil }

    /// Keys of a section, lowercased as botocore sees them, in file order.
    public func keys(section name: String) -> [String] {
        section(named: name)?.entries.map(\.key) ?? []
    }

    /// True when the section holds no keys and no comments, only its header and blank lines.
    public func isBare(section name: String) -> Bool {
        guard let section = section(named: name) else { return false }
        return section.entries.isEmpty
            && !lines[section.header + 1 ..< section.end].contains { Self.isComment($0.content) }
    }

    /// The value botocore sees: continuation lines joined with newlines, trailing space dropped.
    public func value(section name: String, key: String) -> String? {
        guard let entry = section(named: name)?.entries.first(where: { $0.key == key.lowercased() }) else {
            return nil
        }
        let first = Self.splitAtDelimiter(lines[entry.line].content).map { Self.strip($0.rest) } ?? ""
        let rest = entry.valueLines.map { Self.strip(lines[$0].content) }
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
            let section = section(named: name)!
            if let entry = section.entries.first(where: { $0.key == key.lowercased() }) {
                lines[entry.line].content = Self.replacingValue(in: lines[entry.line].content, with: value)
                deleteLines(entry.valueLines)
            } else {
                let anchor = section.entries.last
                let line = newKeyIndent(section) + key + (value.isEmpty ? " =" : " = " + value)
                insertLines([line], at: (anchor?.last ?? section.header) + 1)
            }
        }
    }

    /// Removes keys (with their continuation lines) from one section; the header stays.
    public mutating func remove(section name: String, keys: [String]) {
        let wanted = Set(keys.map { $0.lowercased() })
        guard let section = section(named: name) else { return }
        let doomed = section.entries.filter { wanted.contains($0.key) }.flatMap { [$0.line] + $0.valueLines }
        deleteLines(doomed)
    }

    /// Removes a whole section. Comments at its end stay, since they usually describe the next
    /// section; blank lines that only separated it from its neighbours go with it.
    public mutating func removeSection(_ name: String) {
        guard let section = section(named: name) else { return }
        let contentEnd = section.entries.last?.last ?? section.header
        var range = section.header ..< section.end
        if let comment = (contentEnd + 1 ..< section.end).first(where: { Self.isComment(lines[$0].content) }) {
            range = section.header ..< comment
        } else if section.end == lines.count {
            // appendSection put exactly one blank line before a section it added at the end:
            // take just that one, so a login then a logout leaves the file byte for byte.
            let start = section.header > 0 && Self.strip(lines[section.header - 1].content).isEmpty ? section.header - 1 : section.header
            range = start ..< section.end
        }
        deleteLines(Array(range))
        keepHeaderAfterDeletion(at: range.lowerBound)
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
        sectionList.first { $0.name == name }
    }

    /// configparser reads a line indented deeper than the last key as that key's continuation.
    /// After a key, the next header is never deeper than that key, so the key's indent is safe.
    /// Right after a header, the next header may be deeper: then match it.
    private func newKeyIndent(_ section: Section) -> String {
        if let anchor = section.entries.last { return Self.leadingSpace(lines[anchor.line].content) }
        let own = Self.leadingSpace(lines[section.header].content)
        guard section.end < lines.count else { return own }
        let next = Self.leadingSpace(lines[section.end].content)
        return next.unicodeScalars.count > own.unicodeScalars.count ? next : own
    }

    /// After deleting lines, the next header may follow a key that is less indented than it,
    /// which would turn it into that key's continuation: align it with the key instead.
    private mutating func keepHeaderAfterDeletion(at index: Int) {
        guard let next = (index ..< lines.count).first(where: { !Self.isBlankOrComment(lines[$0].content) }),
              let previous = (0 ..< index).last(where: { !Self.isBlankOrComment(lines[$0].content) }),
              let entry = sectionList.lazy.flatMap(\.entries).first(where: { $0.line == previous || $0.valueLines.contains(previous) })
        else { return }
        let keyIndent = Self.leadingSpace(lines[entry.line].content)
        let content = lines[next].content
        if Self.leadingSpace(content).unicodeScalars.count > keyIndent.unicodeScalars.count {
            lines[next].content = keyIndent + String(content.unicodeScalars.drop(while: Self.isSpace))
            refresh()
        }
    }

    private mutating func appendSection(_ name: String) {
        var new: [String] = []
        if !lines.isEmpty { new.append("") }  // always one separator, so removeSection can undo it exactly
        new.append("[\(name)]")
        insertLines(new, at: lines.count)
    }

    private mutating func insertLines(_ contents: [String], at index: Int) {
        lines.insert(contentsOf: contents.map { Line(content: $0, ending: newline) }, at: index)
        refresh()
    }

    private mutating func deleteLines(_ indices: [Int]) {
        guard !indices.isEmpty else { return }
        for index in Set(indices).sorted(by: >) { lines.remove(at: index) }
        refresh()
    }

    /// Every line but the last ends with a newline; the last one keeps the file's original
    /// choice. Then the structure is read again, so indices never go stale.
    private mutating func refresh() {
        for index in lines.indices where lines[index].ending.isEmpty { lines[index].ending = newline }
        if !endsWithNewline, !lines.isEmpty { lines[lines.count - 1].ending = "" }
        sectionList = Self.analyze(lines).sections
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
    struct Line: Sendable, Equatable {
        var content: String
        var ending: String
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
    }

    struct Problem {
        var line: Int
        var message: String
        var hint: String
    }

    /// Splits on `\n`, `\r\n` and a lone `\r`, the line breaks Python's text mode knows.
    static func splitLines(_ text: String) -> [Line] {
        let bytes = Array(text.utf8)
        var result: [Line] = []
        var start = 0
        var index = 0
        func cut(_ ending: String, width: Int) {
            result.append(Line(content: String(decoding: bytes[start ..< index], as: UTF8.self), ending: ending))
            index += width
            start = index
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A: cut("\n", width: 1)
            case 0x0D where index + 1 < bytes.count && bytes[index + 1] == 0x0A: cut("\r\n", width: 2)
            case 0x0D: cut("\r", width: 1)
            default: index += 1
            }
        }
        if start < bytes.count {
            result.append(Line(content: String(decoding: bytes[start...], as: UTF8.self), ending: ""))
        }
        return result
    }

    /// Mirrors `RawConfigParser._read` (strict, no inline comments, empty lines allowed in
    /// values): a line indented deeper than the last key line continues that key's value.
    static func analyze(_ lines: [Line]) -> (sections: [Section], problems: [Problem]) {
        var sections: [Section] = []
        var problems: [Problem] = []
        var current: Int?
        var hasEntry = false
        var indentLevel = 0
        var pendingBlanks: [Int] = []
        var seenDefault = false

        for (number, line) in lines.enumerated() {
            let stripped = strip(line.content)
            if isComment(line.content) { continue }
            if stripped.isEmpty {
                if hasEntry { pendingBlanks.append(number) }
                continue
            }
            let indent = line.content.unicodeScalars.prefix(while: isSpace).count
            if let current, hasEntry, indent > indentLevel {
                let last = sections[current].entries.count - 1
                sections[current].entries[last].valueLines += pendingBlanks + [number]
                pendingBlanks = []
                continue
            }
            pendingBlanks = []
            indentLevel = indent
            if let name = headerName(stripped) {
                // configparser keeps [DEFAULT] apart and lets it repeat; every other name is unique.
                if sections.contains(where: { $0.name == name }) && !(name == "DEFAULT" && seenDefault) {
                    problems.append(Problem(line: number, message: "section [\(name)] appears twice",
                                            hint: "merge the two [\(name)] sections into one"))
                }
                seenDefault = seenDefault || name == "DEFAULT"
                if let current { sections[current].end = number }
                sections.append(Section(name: name, header: number, entries: [], end: lines.count))
                current = sections.count - 1
                hasEntry = false
                continue
            }
            guard let current else {
                if number == 0 && line.content.unicodeScalars.first == "\u{FEFF}" {
                    problems.append(Problem(line: number, message: "the file starts with a UTF-8 byte order mark",
                                            hint: "save it as UTF-8 without BOM"))
                } else {
                    problems.append(Problem(line: number, message: "a key appears before any [section] header",
                                            hint: "put it under a [section] header or comment it out with '#'"))
                }
                continue
            }
            guard let parts = splitAtDelimiter(stripped) else {
                problems.append(Problem(line: number, message: "in section [\(sections[current].name)]: line is not 'key = value', a comment or a [section] header",
                                        hint: "fix or comment out that line"))
                continue
            }
            let key = stripTrailing(parts.key).lowercased()
            if key.isEmpty {
                problems.append(Problem(line: number, message: "in section [\(sections[current].name)]: a line starts with '=' or ':' and has no key",
                                        hint: "fix or comment out that line"))
            } else if sections[current].entries.contains(where: { $0.key == key }) {
                problems.append(Problem(line: number, message: "duplicate key '\(key)' in section [\(sections[current].name)]",
                                        hint: "keep only one '\(key)' line in [\(sections[current].name)] (keys ignore case)"))
            }
            sections[current].entries.append(Entry(key: key, line: number, valueLines: []))
            hasEntry = true
        }
        return (sections, problems)
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

    static func isBlankOrComment(_ content: String) -> Bool {
        strip(content).isEmpty || isComment(content)
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
