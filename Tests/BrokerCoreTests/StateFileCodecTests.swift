@testable import BrokerCore
import Foundation
import Testing

/// state.json by hand: the same document, in the same layout, as the Codable types give.
@Suite struct StateFileCodecTests {
    /// Every field of every type set (and a second record with every optional one absent).
    static var full: StateStore.File {
        var key = KeyChange(key: "aws_session_token", before: "aws_session_token = x\r\n", anchor: "region", gap: 2, after: "sha256:ab")
        key.earlier = ["sha256:cd", nil]
        var target = WrittenTarget(kind: .section, path: "/h/.aws/credentials", section: "prod", createdFile: false, createdSection: true,
                                   keys: [key], contentHash: "e3b0", backup: "/h/.broker/backups/1")
        target.earlierHashes = ["aa", "bb"]
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        var file = StateStore.File()
        file.logins = [
            StateStore.Record(name: "aws:prod", adapter: "aws-sts", identity: "arn:aws:sts::1:assumed-role/r/s", expiration: time,
                              written: [target, WrittenTarget(kind: .file, path: "/t")],
                              refresh: .init(tokenFile: "/t", audience: "sts.amazonaws.com", sourceArguments: ["--token-file", "/x"]),
                              details: ["profile": "prod", "quote\"d": "tab\there/é"], adapterRecord: .object(["n": .number(3), "list": .array([.bool(true), .null]), "empty": .object([:])]),
                              recordedAt: time.addingTimeInterval(-60), loginID: "L1", pending: true),
            StateStore.Record(name: "vault", adapter: "vault-jwt", identity: "", expiration: nil, written: [], recordedAt: time),
        ]
        file.touched = ["/h/.aws/credentials", "/t"]
        return file
    }

    @Test func writesWhatTheCodableTypesWriteByteForByte() throws {
        let byHand = StateFileCodec.encode(Self.full)
        let byCodable = try JSONOutput.encode(Self.full)
        #expect(String(decoding: byHand, as: UTF8.self) == String(decoding: byCodable, as: UTF8.self))
    }

    @Test func readsWhatTheCodableTypesWroteAndWhatItWrites() throws {
        for data in [try JSONOutput.encode(Self.full), StateFileCodec.encode(Self.full)] {
            let file = try StateFileCodec.decode(data)
            #expect(file.version == 1 && file.logins == Self.full.logins && file.touched == Self.full.touched)
        }
    }

    /// A field added to one of these types must be added to the codec too: this counts them.
    @Test func theCodecKnowsEveryStoredProperty() {
        let file = Self.full
        #expect(Mirror(reflecting: file).children.count == 3)
        #expect(Mirror(reflecting: file.logins[0]).children.count == 11)
        #expect(Mirror(reflecting: file.logins[0].refresh!).children.count == 3)
        #expect(Mirror(reflecting: file.logins[0].written[0]).children.count == 9)
        #expect(Mirror(reflecting: file.logins[0].written[0].keys![0]).children.count == 6)
    }

    @Test func aDamagedDocumentIsAnErrorNamingWhere() {
        let cases: [(String, String)] = [
            (#"{"logins": []}"#, "version is missing"),
            (#"{"version": 1, "logins": [{"name": "a"}]}"#, "logins[0].adapter is missing"),
            (#"{"version": 1, "logins": [{"name": "a", "adapter": "b", "identity": "", "written": [{"kind": "disk", "path": "/"}], "recordedAt": "2026-01-01T00:00:00Z"}]}"#,
             "logins[0].written[0].kind: not file or section"),
            (#"{"version": 1, "logins": [{"name": "a", "adapter": "b", "identity": "", "written": [], "recordedAt": "yesterday"}]}"#,
             "logins[0].recordedAt: not an ISO 8601 time"),
            (#"{"version": "1", "logins": []}"#, "version: not a whole number"),
            (#"[]"#, "the file: not an object"),
            (#"{"version": 1, "logins": [], "version": 2}"#, "version is given twice"),
            // A damaged gap would overflow where logout puts the key back: refused on reading.
            (#"{"version": 1, "logins": [{"name": "a", "adapter": "b", "identity": "", "recordedAt": "2026-01-01T00:00:00Z", "written": [{"kind": "section", "path": "/", "keys": [{"key": "k", "gap": 9e18}]}]}]}"#,
             "logins[0].written[0].keys[0].gap: not a whole number from -10^15 to 10^15"),
        ]
        for (text, message) in cases {
            do {
                _ = try StateFileCodec.decode(Data(text.utf8))
                Issue.record("\(text) was read")
            } catch {
                #expect("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }

    /// Optional members may be absent or null, as Codable's synthesized decoding reads them.
    @Test func nullAndAbsentOptionalsReadAsNil() throws {
        let text = #"{"version": 1, "touched": null, "logins": [{"name": "a", "adapter": "b", "identity": "", "expiration": null, "written": [], "recordedAt": "2026-01-01T00:00:00Z", "pending": null}]}"#
        let file = try StateFileCodec.decode(Data(text.utf8))
        #expect(file.touched == nil && file.logins[0].expiration == nil && file.logins[0].pending == nil && file.logins[0].refresh == nil)
    }

    @Test func theWriterLaysOutAnyValueAsJSONOutputDoes() throws {
        let values: [JSONValue] = [
            .object([:]), .array([]), .object(["a": .array([]), "b": .object([:])]), .string("\u{01}\u{1f}\"\\/\n\r\t\u{08}\u{0c}é𝄞"),
            .array([.number(0), .number(-1), .number(1.5), .number(1e20), .number(-0.25), .bool(false), .null]),
            .object(["Z": .string("upper"), "a": .string("lower"), "_": .null, "10": .number(10), "9": .number(9)]),
        ]
        for value in values {
            #expect(String(decoding: JSONWriter.pretty(value), as: UTF8.self) == String(decoding: try JSONOutput.encode(value), as: UTF8.self))
        }
    }
}
