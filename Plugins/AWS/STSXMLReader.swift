import BrokerCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a small XML document into its leaf elements, keyed by their path of local names
/// (`ErrorResponse/Error/Code`). STS answers are shallow and have no repeated leaves we need,
/// so this is all the structure the response parsers want.
struct STSXMLReader {
    struct Leaf: Equatable {
        var path: [String]
        var text: String
    }

    var root: String
    var leaves: [Leaf]

    func first(_ path: String) -> String? {
        let wanted = path.split(separator: "/").map(String.init)
        return leaves.first { $0.path == wanted }?.text
    }

    /// Parse errors report only where the document broke, never its text (it may hold secrets).
    init(_ data: Data, what: String) throws {
        guard !data.isEmpty else {
            throw BrokerError.failure("\(what) has an empty body")
        }
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let collector = Collector()
        parser.delegate = collector
        // The Linux parser can accept a document cut short, so also check the root was closed.
        guard parser.parse(), collector.closedRoot, let root = collector.root else {
            throw BrokerError.failure(
                "\(what) is not well-formed XML (parser stopped at line \(parser.lineNumber), column \(parser.columnNumber))",
                hint: "check that the endpoint really is AWS STS; a proxy or captive portal may have answered")
        }
        self.root = root
        leaves = collector.leaves
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var leaves: [Leaf] = []
        var closedRoot = false
        private var stack: [String] = []
        private var text = ""
        private var hasChildren = false

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            // Drop any `prefix:` so a prefixed document reads like the usual default-namespace one.
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            if root == nil { root = local }
            stack.append(local)
            text = ""
            hasChildren = false
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?) {
            if !hasChildren {
                leaves.append(Leaf(path: stack, text: text.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            stack.removeLast()
            closedRoot = stack.isEmpty
            text = ""
            hasChildren = true
        }
    }
}
