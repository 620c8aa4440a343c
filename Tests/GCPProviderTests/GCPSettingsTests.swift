import BrokerCore
import BrokerTestSupport
import Foundation
import Testing
@testable import GCPProvider

@Suite struct GCPSettingsTests {
    static let provider = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/github"
    let brokerHome = temporaryDirectory()

    func settings(_ values: [String: JSONValue], workingDirectory: String? = nil) throws -> GCPSettings {
        var all: [String: JSONValue] = ["workloadIdentityProvider": .string(Self.provider)]
        all.merge(values) { $1 }
        let context = ProviderContext(home: "/home/ci", brokerHome: BrokerHome(path: brokerHome), environment: [:], workingDirectory: workingDirectory)
        return try GCPSettings(block: SettingsBlock(all, path: "providers.gcp", file: "broker.json"), name: "gcp", context: context)
    }

    func error(_ values: [String: JSONValue], workingDirectory: String? = nil) -> BrokerError? {
        do {
            _ = try settings(values, workingDirectory: workingDirectory)
            return nil
        } catch {
            return error as? BrokerError
        }
    }

    @Test func defaultsFollowGoogleAndStayUnderBrokerHome() throws {
        let s = try settings([:])
        #expect(s.tokenURL.absoluteString == "https://sts.googleapis.com/v1/token")
        #expect(s.impersonationURL("a@b.iam.gserviceaccount.com").absoluteString
            == "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken")
        #expect(s.scopes == [GCPSettings.cloudPlatformScope])
        #expect(s.tokenLifetime == 3600 && s.credentialSource == .file && s.maxAttempts == 5)
        #expect(s.credentialsFile == brokerHome + "/gcp/gcp.json" && s.credentialsFileIsDefault)
        #expect(s.tokenFile == brokerHome + "/gcp/gcp.jwt")
    }

    @Test func theUniverseDomainGivesTheHostsAndEndpointsOverrideThem() throws {
        let s = try settings(["universeDomain": .string("example-universe.com"), "iamEndpoint": .string("http://127.0.0.1:9000/")])
        #expect(s.tokenURL.absoluteString == "https://sts.example-universe.com/v1/token")
        #expect(s.impersonationURL("sa@p.iam.gserviceaccount.com").absoluteString.hasPrefix("http://127.0.0.1:9000/v1/projects/-/"))
    }

    @Test func withImpersonationTheExchangeAsksOnlyForCloudPlatform() throws {
        let scopes: JSONValue = .array([.string("https://www.googleapis.com/auth/userinfo.email")])
        #expect(try settings(["scopes": scopes]).exchangeScopes == ["https://www.googleapis.com/auth/userinfo.email"])
        let impersonating = try settings(["scopes": scopes, "serviceAccount": .string("sa@p.iam.gserviceaccount.com")])
        #expect(impersonating.exchangeScopes == [GCPSettings.cloudPlatformScope])
        #expect(impersonating.scopes == ["https://www.googleapis.com/auth/userinfo.email"])
    }

    @Test(arguments: [
        ("serviceAccount", JSONValue.string("not-an-email"), "serviceAccount"),
        ("serviceAccount", .string("a@b@c.com"), "serviceAccount"),
        ("projectId", .string("Acme Prod"), "projectId"),
        ("universeDomain", .string("not a domain"), "universeDomain"),
        ("stsEndpoint", .string("ftp://sts.example"), "stsEndpoint"),
        ("stsEndpoint", .string("https://sts.example/?x=1"), "stsEndpoint"),
        ("credentialSource", .string("url"), "credentialSource"),
        ("credentialsFile", .string("relative/creds.json"), "credentialsFile"),
        ("scopes", .array([.string("two words")]), "scopes"),
        ("tokenLifetime", .string("13h"), "tokenLifetime"),
        ("maxAttempts", .number(0), "maxAttempts"),
        ("workloadIdentityProvider", .string("projects/x/locations/global/workloadIdentityPools/ci-pool/providers/github"), "workloadIdentityProvider"),
    ])
    func badValuesAreUsageErrorsNamingTheKey(key: String, value: JSONValue, named: String) {
        let problem = error([key: value])
        #expect(problem?.exitCode == 2)
        #expect(problem?.message.contains("providers.gcp.\(named)") == true)
    }

    @Test func theDefaultFileNeverLandsInTheGitWorkTreeUnasked() throws {
        let tree = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: tree + "/.git", withIntermediateDirectories: true)
        let inside = ProviderContext(home: "/home/ci", brokerHome: BrokerHome(path: tree + "/.broker"), environment: [:], workingDirectory: tree + "/src")
        let block = SettingsBlock(["workloadIdentityProvider": .string(Self.provider)], path: "providers.gcp", file: "broker.json")
        #expect(throws: BrokerError.self) { try GCPSettings(block: block, name: "gcp", context: inside) }
        let asked = block.overlaid(with: ["credentialsFile": .string(tree + "/gcp.json")])
        let settings = try GCPSettings(block: asked, name: "gcp", context: inside)
        #expect(settings.warnings.contains { $0.contains("git work tree") })
        // Outside the work tree: no warning.
        #expect(try self.settings([:], workingDirectory: tree).warnings.isEmpty)
    }
}
