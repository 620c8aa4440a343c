import Foundation

/// A strict RFC 8259 reader for input broker must not guess about (the config file, JWT headers
/// and payloads): a member name given twice is an error naming its path, where JSONDecoder
/// keeps the first and jq or Python keep the last. Errors carry the line and column.
public enum StrictJSON {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var line: Int
        public var column: Int
        /// Set for a member name given twice: its JSON path.
        public var duplicate: String?
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// Nesting deeper than this is refused (no input of broker's needs more; recursion stays bounded).
    public static let maxDepth = 64

    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            reader.skipSpace()
            let value = try reader.value(path: "", depth: 0)
            reader.skipSpace()
            guard reader.index == reader.bytes.count else { throw reader.failure("unexpected text after the JSON value") }
            return value
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func failure(_ message: String, at position: Int? = nil) -> Failure {
            let end = min(position ?? index, bytes.count)
            var line = 1
            var lineStart = 0
            for offset in 0 ..< end where bytes[offset] == 0x0A {
                line += 1
                lineStart = offset + 1
            }
            let column = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart ..< end]), as: UTF8.self).count + 1
            return Failure(message: message, line: line, column: column)
        }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
            for byte in literal.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw failure("expected \(literal)") }
                index += 1
            }
            return value
        }

        mutating func value(path: String, depth: Int) throws -> JSONValue {
            guard depth < StrictJSON.maxDepth else { throw failure("nested deeper than \(StrictJSON.maxDepth) levels") }
            guard index < bytes.count else { throw failure("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(path: path, depth: depth)
            case UInt8(ascii: "["): return try array(path: path, depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try number())
            default: throw failure("unexpected character")
            }
        }

        mutating func object(path: String, depth: Int) throws -> JSONValue {
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                let keyStart = index
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
                let key = try string()
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard members[key] == nil else {
                    var duplicate = failure("\(memberPath) is given twice", at: keyStart)
                    duplicate.duplicate = memberPath
                    throw duplicate
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after the member name") }
                index += 1
                skipSpace()
                members[key] = try value(path: memberPath, depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw failure("unexpected end of input; an object is not closed") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw failure("expected ',' or '}'")
            }
        }

        mutating func array(path: String, depth: Int) throws -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(path: "\(path)[\(items.count)]", depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw failure("unexpected end of input; an array is not closed") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw failure("expected ',' or ']'")
            }
        }

        mutating func string() throws -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flushRun(_ end: Int) throws {
                guard runStart < end else { return }
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart ..< end]), as: UTF8.self) else {
                    throw failure("a string is not valid UTF-8", at: runStart)
                }
                scalars.append(contentsOf: text.unicodeScalars)
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    try flushRun(index)
                    index += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw failure("a control character inside a string must be escaped") }
                if byte == UInt8(ascii: "\\") {
                    try flushRun(index)
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800 ..< 0xDC00).contains(code) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw failure("a \\u escape is half of a surrogate pair")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00 ..< 0xE000).contains(low) else { throw failure("a \\u escape is half of a surrogate pair") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00 ..< 0xE000).contains(code) {
                            throw failure("a \\u escape is half of a surrogate pair")
                        }
                        scalars.append(Unicode.Scalar(code)!)
                    default:
                        throw failure("unknown escape in a string")
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            throw failure("unexpected end of input; a string is not closed")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits") }
            var value: UInt32 = 0
            for _ in 0 ..< 4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("a \\u escape needs four hex digits")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// RFC 8259's number grammar exactly (no leading zeros, no `+`, no bare `.`), as a finite Double.
        mutating func number() throws -> Double {
            let start = index
            func digits() -> Int {
                let from = index
                while index < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                return index - from
            }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw failure("a number is cut short") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                throw failure("a number needs digits")
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw failure("a number needs digits after '.'") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw failure("a number needs digits in its exponent") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw failure("the number \(text) is out of range", at: start) }
            return value
        }
    }
}
