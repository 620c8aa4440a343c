@testable import AWSProvider
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// broker's XML reader against FoundationXML (libxml2) as the oracle: the same leaves for
/// every well-formed document, and a refusal wherever libxml2 refuses.
@Suite struct XMLEventReaderTests {
    /// What the STS parsers saw when they were built on XMLParser: root and leaves, or nil
    /// for a document libxml2 rejects (or, on Linux, leaves unclosed).
    final class Oracle: NSObject, XMLParserDelegate {
        var events: [XMLEventReader.Event] = []
        var depth = 0
        var closedRoot = false

        static func read(_ text: String) -> (root: String, leaves: [STSXMLReader.Leaf])? {
            let parser = XMLParser(data: Data(text.utf8))
            parser.shouldProcessNamespaces = false
            parser.shouldResolveExternalEntities = false
            let oracle = Oracle()
            parser.delegate = oracle
            guard parser.parse(), oracle.closedRoot else { return nil }
            return STSXMLReader.leaves(of: oracle.events)
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            events.append(.start(elementName))
            depth += 1
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { events.append(.text(string)) }
        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { events.append(.text(String(decoding: CDATABlock, as: UTF8.self))) }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            events.append(.end(elementName))
            depth -= 1
            closedRoot = depth == 0
        }
    }

    static func ours(_ text: String) -> (root: String, leaves: [STSXMLReader.Leaf])? {
        guard let events = try? XMLEventReader.events(of: Array(text.utf8)) else { return nil }
        return STSXMLReader.leaves(of: events)
    }

    /// A seeded generator so a failure names a document that can be reproduced.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomDocument(_ rng: inout SplitMix) -> String {
        let names = ["Code", "Message", "sts:Credentials", "AccessKeyId", "a", "B_1", "x.y-z", "Ünïcode"]
        let texts = ["", " ", "value", "  padded\n\t", "a&amp;b", "&lt;tag&gt;", "&quot;q&apos;", "&#65;&#x42;&#x1F600;",
                     "é ü 中文", "line\nbreak", "x > y", "tab\there", "]]", "100%"]
        func text() -> String { texts.randomElement(using: &rng)! }
        func misc() -> String {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return "<!-- note -->"
            case 1: return "<?pi data?>"
            case 2: return "\n  "
            default: return ""
            }
        }
        func attributes() -> String {
            (0..<Int.random(in: 0...2, using: &rng)).map { index in
                let quote = Bool.random(using: &rng) ? "\"" : "'"
                return " at\(index) = \(quote)\(["v", "a&amp;b", "&#x41;", "x > y", ""].randomElement(using: &rng)!)\(quote)"
            }.joined()
        }
        func element(_ depth: Int) -> String {
            let name = names.randomElement(using: &rng)!
            if depth > 3 || Int.random(in: 0..<4, using: &rng) == 0 {
                if Int.random(in: 0..<5, using: &rng) == 0 { return "<\(name)\(attributes())/>" }
                let body = Int.random(in: 0..<4, using: &rng) == 0 ? "<![CDATA[\(["raw <b> & stuff", "", "]] >"].randomElement(using: &rng)!)]]>" : text()
                return "<\(name)\(attributes())>\(misc())\(body)\(misc())</\(name) >"
            }
            let children = (0..<Int.random(in: 1...4, using: &rng)).map { _ in misc() + (Bool.random(using: &rng) ? text() : "") + element(depth + 1) }
            return "<\(name)\(attributes())>\(children.joined())\(text())</\(name)>"
        }
        let declaration = Bool.random(using: &rng) ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" : ""
        return declaration + misc() + element(0) + misc()
    }

    @Test func agreesWithFoundationXMLOnRandomDocuments() throws {
        var rng = SplitMix(state: 20261127)
        for index in 0..<800 {
            let document = Self.randomDocument(&rng)
            let expected = try #require(Oracle.read(document), "libxml2 refused generated document \(index): \(document)")
            let actual = Self.ours(document)
            #expect(actual?.root == expected.root, "document \(index): \(document)")
            #expect(actual?.leaves == expected.leaves, "document \(index): \(document)")
        }
    }

    @Test(arguments: [
        "", "   ", "text only", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>",
        "<a>& b</a>", "<a b='1' b='2'/>", "<a b=1/>", "<a b='<'/>", "</a>", "<1a/>", "<a><!-- a -- b --></a>", "<a><![CDATA[open</a>", "<a>]]></a>",
        "<a>\u{01}</a>", "<a/><?xml version='1.0'?>", "<a b='1'c='2'/>", "<a\n", "<a><!-- x</a>",
    ])
    func refusesWhatLibxml2Refuses(_ document: String) {
        #expect(Self.ours(document) == nil)
        #expect(Oracle.read(document) == nil, "the oracle accepted it, so the case is wrong")
    }

    /// Stricter than FoundationXML on Linux, which stops reading once the root closes and
    /// applies internal DTD entities: content after the root is an error in XML 1.0, and no
    /// STS answer carries a DTD (refusing them rules out entity-expansion tricks).
    @Test(arguments: ["<a/><b/>", "<a/>trailing", "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "<!DOCTYPE a><a/>"])
    func refusesMoreThanFoundationXML(_ document: String) {
        #expect(Self.ours(document) == nil)
    }

    @Test func refusesEveryTruncationOfAnSTSAnswer() throws {
        let answer = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA</AccessKeyId></Credentials>
              </AssumeRoleWithWebIdentityResult>
            </AssumeRoleWithWebIdentityResponse>
            """
        #expect(Self.ours(answer) != nil)
        let bytes = Array(answer.utf8)
        for cut in 1..<bytes.count {
            #expect((try? XMLEventReader.events(of: Array(bytes[..<cut]))) == nil, "accepted the first \(cut) bytes")
        }
    }

    @Test func failuresNameTheLineAndColumn() {
        do {
            _ = try XMLEventReader.events(of: Array("<a>\n  <b></c>\n</a>".utf8))
            Issue.record("accepted mismatched tags")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 6)
            #expect(error.reason.contains("</c>"))
        }
    }

    @Test func byteOrderMarkAndNonUTF8() {
        #expect(Self.ours("\u{FEFF}<?xml version=\"1.0\"?><a>x</a>")?.leaves.first?.text == "x")
        #expect((try? XMLEventReader.events(of: [0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E])) == nil)
    }
}
