import BrokerCore
import BrokerTestSupport
import Foundation
import Testing
@testable import AzureProvider

@Suite struct AzureSettingsTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let client = "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"
    let brokerHome = temporaryDirectory()

    func settings(_ values: [String: JSONValue], workingDirectory: String? = nil) throws -> AzureSettings {
        var all: [String: JSONValue] = ["tenantId": .string(Self.tenant), "clientId": .string(Self.client)]
        all.merge(values) { $1 }
        let context = ProviderContext(home: "/home/ci", brokerHome: BrokerHome(path: brokerHome), environment: [:], workingDirectory: workingDirectory)
        return try AzureSettings(block: SettingsBlock(all, path: "providers.azure", file: "broker.json"), name: "azure", context: context)
    }

    func error(_ values: [String: JSONValue], workingDirectory: String? = nil) -> BrokerError? {
        do {
            _ = try settings(values, workingDirectory: workingDirectory)
            return nil
        } catch {
            return error as? BrokerError
        }
    }

    @Test func defaultsAreThePublicCloudAndStayUnderBrokerHome() throws {
        let s = try settings([:])
        #expect(s.tokenURL.absoluteString == "https://login.microsoftonline.com/\(Self.tenant)/oauth2/v2.0/token")
        #expect(s.scope == "https://management.azure.com/.default" && s.maxAttempts == 5 && s.timeout == 10)
        #expect(s.tokenFile == brokerHome + "/azure/azure.jwt" && s.tokenFileIsDefault)
        #expect(s.environmentFile == brokerHome + "/azure/azure.env" && s.accessTokenFile == nil)
    }

    @Test func aVerifiedDomainIsATenantAndSovereignHostsWork() throws {
        let s = try settings(["tenantId": .string("contoso.onmicrosoft.com"), "authorityHost": .string("https://login.microsoftonline.us/")])
        #expect(s.tokenURL.absoluteString == "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token")
    }

    @Test func sovereignCloudsDeriveTheirOwnAudience() {
        func audience(_ host: String?) -> String? {
            let block = SettingsBlock(host.map { ["authorityHost": .string($0)] } ?? [:], path: "providers.azure")
            return AzureAdapter.descriptor.defaultAudience(for: block)
        }
        #expect(audience(nil) == "api://AzureADTokenExchange")
        #expect(audience("https://login.microsoftonline.com") == "api://AzureADTokenExchange")
        #expect(audience("https://login.microsoftonline.us/") == "api://AzureADTokenExchangeUSGov")
        #expect(audience("https://login.chinacloudapi.cn") == "api://AzureADTokenExchangeChina")
    }

    @Test func anExplicitTokenFileHasItsEnvironmentFileBesideIt() throws {
        let s = try settings(["tokenFile": .string("~/ci/azure-token.jwt"), "accessTokenFile": .string("/tmp/at")])
        #expect(s.tokenFile == "/home/ci/ci/azure-token.jwt" && !s.tokenFileIsDefault)
        #expect(s.environmentFile == "/home/ci/ci/azure-token.env" && s.accessTokenFile == "/tmp/at")
        #expect(try settings(["tokenFile": .string("/run/token")]).environmentFile == "/run/token.env")
    }

    @Test(arguments: [
        ("tenantId", JSONValue.string("common"), "its GUID or verified domain"),
        ("tenantId", .string("72f988bf-86f1-41af-91ab"), "neither a GUID nor a domain"),
        ("tenantId", .string("10.0.0.1"), "neither a GUID nor a domain"),
        ("clientId", .string("my-app"), "not a GUID"),
        ("clientId", .string("0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4fZ"), "not a GUID"),
        ("subscriptionId", .string("prod"), "not a GUID"),
        ("scope", .string("https://management.azure.com/user_impersonation"), "/.default"),
        ("scope", .string("a/.default b/.default"), "/.default"),
        ("authorityHost", .string("http://login.microsoftonline.com"), "not https"),
        ("authorityHost", .string("https://login.microsoftonline.com/tenant"), "without a path"),
        ("authorityHost", .string("https://login.microsoftonline.com:99999"), "port"),
        ("tokenFile", .string("relative/token"), "absolute path"),
        ("accessTokenFile", .string("relative"), "absolute path"),
        ("timeout", .string("0s"), "timeout"),
        ("maxAttempts", .number(21), "maxAttempts"),
    ])
    func badValuesAreUsageErrorsNamingTheKey(key: String, value: JSONValue, message: String) {
        let problem = error([key: value])
        #expect(problem?.exitCode == 2)
        #expect(problem.map { "\($0)".contains(key) && "\($0)".contains(message) } == true, "\(String(describing: problem))")
    }

    @Test func theAccessTokenFileCannotBeTheTokenFile() {
        let problem = error(["tokenFile": .string("/tmp/t.jwt"), "accessTokenFile": .string("/tmp/t.env")])
        #expect(problem.map { "\($0)".contains("accessTokenFile") } == true)
    }

    @Test func theDefaultPlaceInsideAGitWorkTreeIsRefusedAnExplicitOneWarns() throws {
        let tree = brokerHome
        try writeText("", to: tree + "/.git/HEAD")
        #expect(error([:], workingDirectory: tree).map { "\($0)".contains("git work tree") } == true)
        let s = try settings(["tokenFile": .string(tree + "/token.jwt")], workingDirectory: tree)
        #expect(s.warnings.contains { $0.contains("git work tree") })
    }
}
