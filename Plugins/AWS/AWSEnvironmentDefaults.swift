import BrokerCore
import Foundation

/// The AWS CLI's own environment conventions, applied where a flag or config key leaves a
/// setting open: `AWS_PROFILE`; `AWS_REGION`, then `AWS_DEFAULT_REGION`; `AWS_ENDPOINT_URL_STS`,
/// then `AWS_ENDPOINT_URL` (both ignored under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`).
public enum AWSEnvironmentDefaults {
    /// Config keys filled from `environment` for those `block` does not set, with the variable
    /// each came from (so an error can name it).
    public static func values(for block: SettingsBlock, environment: [String: String]) -> [(key: String, value: String, variable: String)] {
        func first(_ names: [String]) -> (String, String)? {
            for name in names { if let value = environment[name], !value.isEmpty { return (value, name) } }
            return nil
        }
        var result: [(key: String, value: String, variable: String)] = []
        let ignoreEndpoints = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        let rules: [(key: String, variables: [String])] = [
            ("profile", ["AWS_PROFILE"]),
            ("region", ["AWS_REGION", "AWS_DEFAULT_REGION"]),
            ("stsEndpoint", ignoreEndpoints ? [] : ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]),
        ]
        for rule in rules where block.values[rule.key] == nil {
            if let (value, variable) = first(rule.variables) { result.append((rule.key, value, variable)) }
        }
        return result
    }

    /// `block` with the environment's values laid under it.
    public static func apply(to block: SettingsBlock, environment: [String: String]) -> (block: SettingsBlock, sources: [String: String]) {
        let found = values(for: block, environment: environment)
        var overlay: [String: JSONValue] = [:]
        var sources: [String: String] = [:]
        for item in found {
            overlay[item.key] = .string(item.value)
            sources[item.key] = item.variable
        }
        return (block.overlaid(with: overlay), sources)
    }
}
