import BrokerCore
import BrokerIssuer
import Foundation
import Testing

@Suite struct DiscoveryTests {
    @Test func listsOnlyWhatIsTrue() async throws {
        let issuer = makeIssuer(repository: "https://github.com/acme/app")
        let document = try await issuer.discovery()
        #expect(document.issuer == "https://issuer.example.com")
        #expect(document.jwksURI == "https://issuer.example.com/.well-known/jwks.json")
        #expect(document.responseTypesSupported == ["id_token"])
        #expect(document.subjectTypesSupported == ["public"])
        #expect(document.idTokenSigningAlgValuesSupported == ["RS256"])
        let emitted = try issuer.claims(audiences: ["a"]).keys.sorted()
        #expect(document.claimsSupported == emitted)
    }

    @Test func usesSnakeCaseKeys() async throws {
        let json = try JSONOutput.string(await makeIssuer().discovery())
        for key in ["jwks_uri", "response_types_supported", "subject_types_supported",
                    "id_token_signing_alg_values_supported", "claims_supported"] {
            #expect(json.contains("\"\(key)\""))
        }
    }

    @Test func jwksPublishesPublicPartsOnly() async throws {
        let json = try JSONOutput.string(await makeIssuer().jwks())
        #expect(json.contains("\"kid\""))
        #expect(json.contains("\"n\"") && json.contains("\"e\""))
        #expect(!json.contains("\"d\"") && !json.contains("PRIVATE"))
    }

    @Test func issuerURLValidation() throws {
        #expect(try IssuerSettings.validateURL("https://x.example.com/path/", name: "--issuer") == "https://x.example.com/path")
        #expect(throws: BrokerError.self) { try IssuerSettings.validateURL("ftp://x", name: "--issuer") }
        #expect(throws: BrokerError.self) { try IssuerSettings.validateURL("https://x?y=1", name: "--issuer") }
        #expect(IssuerSettings(url: "http://127.0.0.1:8417").warnings.count == 1)
        #expect(IssuerSettings(url: "https://x.example.com").warnings.isEmpty)
    }

    @Test func gitRemotesNormalize() {
        #expect(DefaultSubject.normalize(remote: "git@github.com:Acme/app.git") == "https://github.com/Acme/app")
        #expect(DefaultSubject.normalize(remote: "https://user:pw@GitHub.com/acme/app.git") == "https://github.com/acme/app")
        #expect(DefaultSubject.normalize(remote: "ssh://git@gitlab.com:22/group/sub/app") == "https://gitlab.com/group/sub/app")
        #expect(DefaultSubject.normalize(remote: "https://github.com/acme/app/") == "https://github.com/acme/app")
    }

    @Test func readsTheOriginRemoteFromGitConfig() throws {
        let dir = NSTemporaryDirectory() + "repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/.git", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/sub/deeper", withIntermediateDirectories: true)
        try """
        [core]
        \tbare = false
        [remote "upstream"]
        \turl = https://github.com/other/app.git
        [remote "origin"]
        \turl = git@github.com:acme/app.git
        \tfetch = +refs/heads/*:refs/remotes/origin/*
        """.write(toFile: dir + "/.git/config", atomically: true, encoding: .utf8)
        #expect(DefaultSubject.repositoryURL(from: dir + "/sub/deeper") == "https://github.com/acme/app")
    }
}
