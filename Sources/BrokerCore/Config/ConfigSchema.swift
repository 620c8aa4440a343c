/// A JSON Schema (draft 2020-12) of the config, generated from the same setting lists that
/// validate it, so editors complete exactly what broker accepts.
public enum ConfigSchema {
    public static func document(registry: ProviderRegistry) -> JSONValue {
        let providerVariants: [JSONValue] = registry.all.map { descriptor in
            var properties = properties(descriptor.keys + [BrokerConfig.exportKey])
            properties["adapter"] = .object(["const": .string(descriptor.adapter), "description": .string(descriptor.summary)])
            properties["audience"] = .object(["type": .string("string"),
                                              "description": .string("audience of the identity token" + (descriptor.defaultAudience.map { " (default \($0))" } ?? ""))])
            let required = ["adapter"] + (descriptor.defaultAudience == nil ? ["audience"] : []) + descriptor.keys.filter(\.required).map(\.name)
            return .object([
                "type": .string("object"),
                "properties": .object(properties),
                "required": .array(required.map(JSONValue.string)),
                "additionalProperties": .bool(false),
            ])
        }
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "title": .string("broker config"),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array([.string("version")]),
            "properties": .object([
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

    static func object(_ keys: [SettingKey]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties(keys)), "additionalProperties": .bool(false)])
    }

    static func properties(_ keys: [SettingKey]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for key in keys {
            var schema: [String: JSONValue] = ["description": .string(key.help)]
            switch key.kind {
            case .string: schema["type"] = .string("string")
            case .integer: schema["type"] = .string("integer")
            case .boolean: schema["type"] = .string("boolean")
            case .duration: schema["type"] = .array([.string("string"), .string("number")])
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
