import BrokerCore
import Foundation
import Testing

@Suite struct StrictJSONTests {
    /// What Foundation's JSONDecoder reads (broker's reader before), the oracle for valid input.
    func oracle(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        #"{"version": 1, "providers": {"a": {"adapter": "aws-sts", "x": [1, 2.5, -0.5e3, true, false, null]}}}"#,
        #"["\u00e9\ud83d\ude00", "tab\tand\nnewline \/ \\ \"", ""]"#,
        #"  {"é": {"": []}} "#, "0", "-0", "1E400".replacingOccurrences(of: "400", with: "30"), #""plain""#,
    ])
    func readsWhatFoundationReads(_ text: String) throws {
        #expect(try StrictJSON.parse(Data(text.utf8)) == oracle(text))
    }

    @Test func randomDocumentsMatchFoundation() throws {
        var random = SystemRandomNumberGenerator()
        func make(_ depth: Int) -> Any {
            switch Int.random(in: 0 ..< (depth > 3 ? 4 : 6), using: &random) {
            case 0: return Double(Int.random(in: -1_000_000 ... 1_000_000, using: &random)) / 8
            case 1: return String((0 ..< Int.random(in: 0 ... 8, using: &random)).map { _ in "aé\"\\\n\u{1F600}/x\t".randomElement()! })
            case 2: return Bool.random(using: &random)
            case 3: return NSNull()
            case 4: return (0 ..< Int.random(in: 0 ... 4, using: &random)).map { _ in make(depth + 1) }
            default: return Dictionary((0 ..< Int.random(in: 0 ... 4, using: &random)).map { ("k\($0)é", make(depth + 1)) }, uniquingKeysWith: { a, _ in a })
            }
        }
        for _ in 0 ..< 300 {
            let document = ["root": make(0)]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            #expect(try StrictJSON.parse(Data(text.utf8)) == oracle(text), "\(text)")
        }
    }

    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, "a is given twice"),
        (#"{"p": {"x": {"k": 1, "k": 1}}}"#, "p.x.k is given twice"),
        (#"{"a": 1,}"#, "expected a member name"),
        (#"[1, 2"#, "an array is not closed"),
        (#"{"a": 01}"#, "expected ',' or '}'"),
        (#"{"a": 1e999}"#, "out of range"),
        (#"{"a": "\x"}"#, "unknown escape"),
        (#"{"a": "\ud800"}"#, "surrogate"),
        ("{\"a\": \"tab\there\"}", "control character"),
        (#"{"a": 1} {"#, "after the JSON value"),
        (#"{"a": tru}"#, "expected true"),
        ("", "unexpected end"),
    ])
    func refusesWithLineAndColumn(_ text: String, _ reason: String) {
        let failure = #expect(throws: StrictJSON.Failure.self) { try StrictJSON.parse(Data(text.utf8)) }
        #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "")")
        #expect((failure?.line ?? 0) >= 1 && (failure?.column ?? 0) >= 1)
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: StrictJSON.Failure.self) { try StrictJSON.parse(Data(deep.utf8)) }
    }

    @Test func configDuplicatesAndSyntaxErrorsNameWhere() {
        let duplicate = configError(#"{"version": 1, "providers": {"a": {"adapter": "test-adapter", "roleArn": "x"}, "a": {"adapter": "test-adapter", "roleArn": "y"}}}"#)
        #expect(duplicate.contains("broker.json: providers.a: is given twice"))
        let key = configError("{\"version\": 1,\n \"providers\": {\"a\": {\"adapter\": \"test-adapter\", \"roleArn\": \"x\", \"profile\": \"p\", \"profile\": \"q\"}}}")
        #expect(key.contains("providers.a.profile: is given twice (line 2)"))
        let syntax = configError("{\"version\": 1,\n  \"providers\": {,}}")
        #expect(syntax.contains("not valid JSON: line 2, column 17"))
        #expect(syntax.contains("\"providers\": {,}}\n                    ^"))
    }

    @Test(arguments: [
        ("${UNSET_BROKER_X:-${ROLE}}", "nested defaults"),
        ("${HOME", "unterminated '${'"),
        ("prefix-${ROLE", "unterminated '${'"),
    ])
    func interpolationRefusesWhatItCannotMean(_ value: String, _ reason: String) {
        let error = configError(#"{"version": 1, "providers": {"a": {"adapter": "test-adapter", "roleArn": "\#(value)"}}}"#)
        #expect(error.contains("providers.a.roleArn: ") && error.contains(reason), "\(error)")
    }
}
