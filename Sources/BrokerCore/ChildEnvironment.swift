import Foundation

/// The environment `broker exec` gives its child: broker's own, minus what would point the
/// child's tools at other credentials, plus every provider's variables. A variable the user
/// already set is replaced, never merged, and said so (by name, never value).
public struct ChildEnvironment: Sendable {
    public var variables: [String: String]
    /// Lines for stderr: what was replaced or removed.
    public var notes: [String]

    public static func compose(base: [String: String], sessions: [(name: String, session: ChildSession)]) throws -> ChildEnvironment {
        var variables = base
        var notes: [String] = []
        var setBy: [String: (provider: String, value: String)] = [:]
        for (name, session) in sessions {
            for variable in session.variables {
                if let earlier = setBy[variable.name], earlier.value != variable.value {
                    throw BrokerError.usage("\(earlier.provider) and \(name) both set \(variable.name), and the child can have only one",
                                            hint: "run one of them, or mark one \"export\": true in the config")
                }
                setBy[variable.name] = (name, variable.value)
            }
        }
        let removed = Set(sessions.flatMap(\.session.removed)).subtracting(setBy.keys)
        for variable in removed.sorted() where base[variable] != nil {
            variables[variable] = nil
            notes.append("removed \(variable) from the command's environment: it would point its tools at other credentials")
        }
        for (variable, origin) in setBy.sorted(by: { $0.key < $1.key }) {
            if base[variable] != nil {
                notes.append("\(variable) was set in the environment; the command gets \(origin.provider)'s instead")
            }
            variables[variable] = origin.value
        }
        return ChildEnvironment(variables: variables, notes: notes)
    }
}
