import BrokerCore
import BrokerIssuer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct IssuerServerTests {
    let home = temporaryHome()

    func server() -> IssuerServer { IssuerServer(issuer: makeIssuer(home)) }

    @Test func servesDiscoveryAndJWKSAsCacheableJSON() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/.well-known/openid-configuration", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.cacheControl]?.contains("max-age") == true)
                let document = try JSONDecoder().decode(DiscoveryDocument.self, from: Data(buffer: response.body))
                #expect(document.jwksURI == "https://issuer.example.com/.well-known/jwks.json")
            }
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                #expect(response.status == .ok)
                let jwks = try JSONDecoder().decode(JWKSet.self, from: Data(buffer: response.body))
                #expect(jwks.keys.count == 1)
            }
        }
    }

    @Test func tokenEndpointNeedsAValidRequestToken() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/token?audience=a", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("missing_request_token"))
            }
            try await client.execute(uri: "/token?audience=a", method: .get, headers: [.authorization: "Bearer brt_wrong"]) { response in
                #expect(response.status == .unauthorized)
                let body = String(buffer: response.body)
                #expect(body.contains("invalid_request_token"))
                #expect(!body.contains("\"value\""))
            }
        }
    }

    @Test func requestTokensTakeEffectAndAreRevokedAtOnce() async throws {
        let store = RequestTokenStore(home: home)
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            // The server is already running when the request token is created.
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { _ in }
            let (token, entry) = try store.create(subject: "repo:acme/app:ref:refs/heads/main")
            let bearer = "Bearer \(token.reveal)"
            try await client.execute(uri: "/token?api-version=2.0&audience=sts.amazonaws.com", method: .get,
                                     headers: [.authorization: bearer]) { response in
                #expect(response.status == .ok)
                let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
                let jwt = try IdentityToken(jwt: body["value"]!)
                #expect(jwt.subject == "repo:acme/app:ref:refs/heads/main")
                #expect(jwt.audiences == ["sts.amazonaws.com"])
            }
            try await client.execute(uri: "/token", method: .get, headers: [.authorization: bearer]) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try store.revoke(id: entry.id))
            try await client.execute(uri: "/token?audience=a", method: .get, headers: [.authorization: bearer]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func requestTokensAreStoredHashed() throws {
        let store = RequestTokenStore(home: home)
        let (token, _) = try store.create(subject: "s")
        let stored = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(!stored.contains(token.reveal))
        #expect(fileMode(store.path) == 0o600)
        #expect(RequestTokenStore.match(token.reveal, in: try store.list())?.subject == "s")
    }
}
