import BrokerCore
import Foundation

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
        let events: [XMLEventReader.Event]
        do {
            events = try XMLEventReader.events(of: Array(data))
        } catch {
            throw BrokerError.failure(
                "\(what) is not well-formed XML (\(error.reason) at line \(error.line), column \(error.column))",
                hint: "check that the endpoint really is AWS STS; a proxy or captive portal may have answered")
        }
        (root, leaves) = Self.leaves(of: events)
    }

    /// Elements without child elements become leaves with their trimmed text; a `prefix:` is
    /// dropped so a prefixed document reads like the usual default-namespace one.
    static func leaves(of events: [XMLEventReader.Event]) -> (root: String, leaves: [Leaf]) {
        var root: String?
        var leaves: [Leaf] = []
        var stack: [String] = []
        var text = ""
        var hasChildren = false
        for event in events {
            switch event {
            case .start(let name):
                let local = name.split(separator: ":").last.map(String.init) ?? name
                if root == nil { root = local }
                stack.append(local)
                text = ""
                hasChildren = false
            case .text(let chunk):
                text += chunk
            case .end:
                if !hasChildren { leaves.append(Leaf(path: stack, text: text.trimmingWhitespace)) }
                stack.removeLast()
                text = ""
                hasChildren = true
            }
        }
        return (root ?? "", leaves)
    }
}
