@testable import ExecProvider
import BrokerCore
import Foundation
import Testing

/// examples/plugins/docker-registry-login run for real through the exec adapter.
@Suite struct DockerRegistryLoginTests {
    func docker(_ settings: [String: JSONValue], home: String) throws -> any Provider {
        try makeProvider(["command": command([dockerPlugin]), "settings": .object(settings)],
                         name: "registry", audience: "registry.example.com", context: context(home: home))
    }

    func json(_ path: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func auth(_ username: String, _ token: IdentityToken) -> String {
        Data("\(username):\(token.jwt.reveal)".utf8).base64EncodedString()
    }

    @Test func mergesIntoAnExistingConfigKeepingEverythingElse() async throws {
        let home = temporaryDirectory()
        let path = home + "/.docker/config.json"
        try writeText("""
            {
              "auths": {"ghcr.io": {"auth": "b3RoZXI6c2VjcmV0"}, "registry.example.com": {"auth": "b2xkOm9sZA==", "identitytoken": "stale"}},
              "psFormat": "table {{.ID}}",
              "proxies": {"default": {"httpProxy": "http://proxy:3128", "noProxy": "*.internal"}},
              "currentContext": "détail ✓",
              "number": 1.5, "flag": true, "nothing": null
            }
            """, to: path)
        let original = try json(path)
        let token = try makeToken()
        let result = try await docker(["registry": .string("registry.example.com")], home: home).login(token: token, journal: .unrecorded())

        guard case .object(var expected) = original, case .object(var auths)? = expected["auths"] else { Issue.record(); return }
        auths["registry.example.com"] = .object(["auth": .string(auth("oauth2accesstoken", token))])
        expected["auths"] = .object(auths)
        #expect(try json(path) == .object(expected))
        #expect(fileMode(path) == 0o600)

        let credentials = result.credentials
        #expect(credentials.identity == "oauth2accesstoken@registry.example.com")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(credentials.secrets["auth"]?.reveal == auth("oauth2accesstoken", token))
        #expect(credentials.environment.map(\.name) == ["DOCKER_CONFIG"])
        #expect(credentials.environment.first?.value == home + "/.docker")
        #expect(credentials.environment.first?.isSecret == false)
        // The user's file holds other registries, so logout must leave it.
        #expect(result.written.isEmpty)
        #expect(credentials.details[ExecAdapter.keptFilesDetail] == path)

        let record = StateStore.Record(name: "registry", adapter: "exec", identity: credentials.identity,
                                       expiration: credentials.expiration, written: result.written, details: credentials.details)
        let lines = try await ExecAdapter.descriptor.logout(record, context(home: home))
        #expect(lines.count == 1 && lines[0].hasPrefix("left \(path) in place"))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
    }

    @Test func createsANewConfigThatLogoutRemoves() async throws {
        let home = temporaryDirectory()
        let token = try makeToken()
        let result = try await docker(["registry": .string("registry.example.com"), "username": .string("ci"),
                                       "configPath": .string("~/ci/docker/config.json")], home: home).login(token: token, journal: .unrecorded())
        let path = home + "/ci/docker/config.json"
        #expect(try json(path) == .object(["auths": .object(["registry.example.com": .object(["auth": .string(auth("ci", token))])])]))
        #expect(result.credentials.identity == "ci@registry.example.com")
        #expect(result.credentials.environment.first?.value == home + "/ci/docker")
        #expect(result.written == [WrittenTarget(kind: .file, path: path)])

        let record = StateStore.Record(name: "registry", adapter: "exec", identity: "ci@registry.example.com",
                                       expiration: nil, written: result.written, details: result.credentials.details)
        #expect(try await ExecAdapter.descriptor.logout(record, context(home: home)) == ["removed \(path)"])
        #expect(listing(home + "/ci/docker").isEmpty)
    }

    @Test func refusesAConfigWhoseCredentialHelperWouldIgnoreTheLogin() async throws {
        let home = temporaryDirectory()
        let path = home + "/.docker/config.json"
        let text = #"{"credsStore": "desktop", "auths": {}}"#
        try writeText(text, to: path)
        let error = try #require(await loginError(try docker(["registry": .string("registry.example.com")], home: home),
                                                  token: makeToken()))
        #expect(error.message.contains("exited with status 1"))
        #expect(error.message.contains("credential helper 'desktop'"))
        #expect(try readText(path) == text)
    }

    @Test func aBrokenConfigIsLeftAlone() async throws {
        let home = temporaryDirectory()
        let path = home + "/.docker/config.json"
        try writeText("{ not json", to: path)
        let error = try #require(await loginError(try docker(["registry": .string("registry.example.com")], home: home),
                                                  token: makeToken()))
        #expect(error.message.contains("is not valid JSON"))
        #expect(try readText(path) == "{ not json")
    }

    @Test func aMissingRegistryIsAUsageErrorOfThePlugin() async throws {
        let home = temporaryDirectory()
        let error = try #require(await loginError(try docker([:], home: home), token: makeToken()))
        #expect(error.message.contains("exited with status 2"))
        #expect(error.message.contains("settings.registry is required"))
        #expect(listing(home).isEmpty)
    }
}
