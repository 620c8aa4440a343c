import BrokerCore
import Foundation
import Testing
@testable import TokenExchangeProvider

@Suite struct TokenExchangeSettingsTests {
    let context = ProviderContext(home: "/home/ci", brokerHome: BrokerHome(path: "/tmp/bh"), environment: [:])

    func settings(_ values: [String: JSONValue]) throws -> TokenExchangeSettings {
        try TokenExchangeSettings(block: SettingsBlock(values, path: "providers.idp"), name: "idp", context: context)
    }

    @Test func defaults() throws {
        let exchange = try settings(["tokenUrl": .string("https://idp.example.com/token")])
        #expect(exchange.requestedTokenType == "urn:ietf:params:oauth:token-type:access_token")
        #expect(exchange.subjectTokenType == "urn:ietf:params:oauth:token-type:jwt")
        #expect(exchange.outputFile == "/tmp/bh/tokens/idp")
        #expect(exchange.clientAuth == .none)
    }

    @Test func clientAuthNeedsAnIdAndExactlyOneSecretSource() {
        #expect(throws: BrokerError.self) {
            try settings(["tokenUrl": .string("https://idp/token"), "clientAuth": .string("basic"), "clientSecretEnv": .string("S")])
        }
        #expect(throws: BrokerError.self) {
            try settings(["tokenUrl": .string("https://idp/token"), "clientAuth": .string("post"), "clientId": .string("c")])
        }
        #expect(throws: BrokerError.self) {
            try settings(["tokenUrl": .string("https://idp/token"), "clientAuth": .string("post"), "clientId": .string("c"),
                          "clientSecretEnv": .string("S"), "clientSecretFile": .string("/f")])
        }
    }

    @Test func tokenTypesAreChecked() throws {
        #expect(throws: BrokerError.self) { try settings(["tokenUrl": .string("https://idp/token"), "requestedTokenType": .string("cookie")]) }
        let full = try settings(["tokenUrl": .string("https://idp/token"), "requestedTokenType": .string("urn:ietf:params:oauth:token-type:id_token")])
        #expect(full.requestedTokenType == "urn:ietf:params:oauth:token-type:id_token")
    }

    @Test func formEncodingEscapesReservedCharacters() {
        #expect(FormEncoding.encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9")
    }
}
