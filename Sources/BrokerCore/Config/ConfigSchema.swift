/// A JSON Schema (draft 2020-12) of the config, generated from the same setting lists that
/// validate it, so editors complete exactly what broker accepts.
public enum ConfigSchema {
    public static let id = "https://broker.invalid/schema/config-v1.json"

    public static func document(registry: ProviderRegistry) -> JSONValue {
        let providerVariants: [JSONValue] = registry.all.map { descriptor in
            var properties = properties(descriptor.keys + [BrokerConfig.exportKey])
            properties["adapter"] = .object(["const": .string(descriptor.adapter), "description": .string(descriptor.summary)])
            properties["audience"] = .object(["type": .string("string"),
                                              "description": .string("audience of the identity token" + (descriptor.defaultAudience.map { " (default \($0))" }
                                                                  ?? (descriptor.derivedAudience == nil ? "" : " (default: derived from the settings)")))])
            let required = ["adapter"] + (descriptor.requiresAudience ? ["audience"] : []) + descriptor.keys.filter(\.required).map(\.name)
            return .object([
                "type": .string("object"),
                "properties": .object(properties),
                "required": .array(required.map(JSONValue.string)),
                "additionalProperties": .bool(false),
            ])
        }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string(Self.id),
            "title": .string("broker config"),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array([.string("version")]),
            "properties": .object([
                "$schema": .object(["type": .string("string"), "description": .string("the schema editors check this file against ('broker config schema')")]),
                "version": .object(["const": .number(1)]),
                "source": object(BrokerConfig.sourceKeys),
                "issuer": object(BrokerConfig.issuerKeys),
                "providers": .object([
                    "type": .string("object"),
                    "additionalProperties": .object(["oneOf": .array(providerVariants)]),
                ]),
            ]),
        ])
    }

    /// `90s`, `15m`, `1h30m`, `2d` (each unit once, largest first), a plain number of seconds,
    /// or a `${VARIABLE}` broker expands.
    static let durationPattern = "^((?=[0-9])([0-9]+|([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?)|\\$\\{.+\\})$"

    static func object(_ keys: [SettingKey]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties(keys)), "additionalProperties": .bool(false)])
    }

    static func properties(_ keys: [SettingKey]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for key in keys {
            var schema: [String: JSONValue] = ["description": .string(key.help)]
            switch key.kind {
            case .string:
                schema["type"] = .string("string")
                if let pattern = key.pattern { schema["pattern"] = .string(pattern) }
            case .integer:
                schema["type"] = .string("integer")
                let range = key.range ?? SettingKey.defaultIntegerRange
                schema["minimum"] = .number(range.lowerBound)
                schema["maximum"] = .number(range.upperBound)
            case .boolean: schema["type"] = .string("boolean")
            case .duration:
                var seconds: [String: JSONValue] = ["type": .string("number")]
                if let range = key.range {
                    seconds["minimum"] = .number(range.lowerBound)
                    seconds["maximum"] = .number(range.upperBound)
                }
                // The text form's range is checked by broker (the schema cannot add up units).
                schema["oneOf"] = .array([.object(seconds), .object(["type": .string("string"), "pattern": .string(Self.durationPattern)])])
            case .stringArray: schema["type"] = .string("array"); schema["items"] = .object(["type": .string("string")])
            case .stringMap: schema["type"] = .string("object"); schema["additionalProperties"] = .object(["type": .string("string")])
            case .object: schema["type"] = .string("object")
            case .oneOf(let values): schema["enum"] = .array(values.map(JSONValue.string))
            }
            result[key.name] = .object(schema)
        }
        return result
    }
}
