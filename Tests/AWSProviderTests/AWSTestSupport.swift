@_exported import BrokerTestSupport
import Foundation

/// What botocore sees: the file read by Python's `configparser.RawConfigParser` (botocore's
/// `raw_config_parse`), as section → key → value, or the name of the exception it raised.
enum ConfigParserResult: Equatable {
    case sections([String: [String: String]])
    case error(String)
}

func readWithConfigParser(_ path: String) throws -> ConfigParserResult {
    let script = """
        import configparser, json, sys
        cp = configparser.RawConfigParser()
        try:
            cp.read(sys.argv[1])
        except configparser.Error as e:
            print(json.dumps({"error": type(e).__name__}))
        else:
            print(json.dumps({"sections": {s: {k: cp.get(s, k) for k in cp.options(s)} for s in cp.sections()}}))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "python3 exited \(process.terminationStatus)"])
    }
    struct Answer: Decodable {
        var sections: [String: [String: String]]?
        var error: String?
    }
    let answer = try JSONDecoder().decode(Answer.self, from: data)
    if let error = answer.error { return .error(error) }
    return .sections(answer.sections ?? [:])
}

/// Writes `text` to a temporary file and reads it with configparser.
func readTextWithConfigParser(_ text: String) throws -> ConfigParserResult {
    let path = temporaryDirectory() + "/file.ini"
    try writeText(text, to: path)
    return try readWithConfigParser(path)
}

/// Reads many files in one Python run (starting Python per file would be slow).
func readAllWithConfigParser(_ paths: [String]) throws -> [ConfigParserResult] {
    let list = temporaryDirectory() + "/paths.json"
    try JSONEncoder().encode(paths).write(to: URL(fileURLWithPath: list))
    let script = """
        import configparser, json, sys
        out = []
        for path in json.load(open(sys.argv[1])):
            cp = configparser.RawConfigParser()
            try:
                cp.read(path)
            except configparser.Error as e:
                out.append({"error": type(e).__name__})
            else:
                out.append({"sections": {s: {k: cp.get(s, k) for k in cp.options(s)} for s in cp.sections()}})
        print(json.dumps(out))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, list]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    struct Answer: Decodable {
        var sections: [String: [String: String]]?
        var error: String?
    }
    return try JSONDecoder().decode([Answer].self, from: data).map { answer in
        answer.error.map(ConfigParserResult.error) ?? .sections(answer.sections ?? [:])
    }
}

/// A small deterministic generator, so a failing random case can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11 | state << 53
    }
}
