import Foundation

/// JSON text of a `JSONValue` in the layout `JSONOutput` prints (pretty, two-space indent,
/// `"key" : value`, keys sorted, `/` unescaped), written by hand: a file broker rewrites on
/// every login (the state) is not worth JSONEncoder's first-use cost in a fresh process.
public enum JSONWriter {
    public static func pretty(_ value: JSONValue) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, indent: 0, into: &out)
        return Data(out)
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .number(let number): out += Array(text(of: number).utf8)
        case .string(let string): quote(string, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out += Array("[\n\n".utf8); pad(indent, &out); out.append(0x5D); return }
            out += Array("[\n".utf8)
            for (index, item) in items.enumerated() {
                pad(indent + 2, &out)
                write(item, indent: indent + 2, into: &out)
                out += Array((index + 1 < items.count ? ",\n" : "\n").utf8)
            }
            pad(indent, &out)
            out.append(0x5D)
        case .object(let members):
            guard !members.isEmpty else { out += Array("{\n\n".utf8); pad(indent, &out); out.append(0x7D); return }
            out += Array("{\n".utf8)
            let keys = members.keys.sorted()
            for (index, key) in keys.enumerated() {
                pad(indent + 2, &out)
                quote(key, into: &out)
                out += Array(" : ".utf8)
                write(members[key]!, indent: indent + 2, into: &out)
                out += Array((index + 1 < keys.count ? ",\n" : "\n").utf8)
            }
            pad(indent, &out)
            out.append(0x7D)
        }
    }

    /// Integers as integers (as `JSONValue` encodes them); other finite numbers in Swift's
    /// shortest form; a non-finite number (JSON has none) as null.
    private static func text(of number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func pad(_ count: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(0x20, count: count))
    }

    private static func quote(_ string: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0x00 ..< 0x20: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
