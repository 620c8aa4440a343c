import Testing
@testable import GCPProvider

@Suite struct WorkloadIdentityProviderNameTests {
    let name = "projects/123456789012/locations/global/workloadIdentityPools/ci-pool/providers/github"

    @Test func theFullNameAndItsURLFormsParseToTheSameProvider() throws {
        let parsed = try WorkloadIdentityProviderName.parse(name)
        #expect(parsed == WorkloadIdentityProviderName(projectNumber: "123456789012", pool: "ci-pool", provider: "github"))
        #expect(try WorkloadIdentityProviderName.parse("//iam.googleapis.com/" + name) == parsed)
        #expect(try WorkloadIdentityProviderName.parse("https://iam.googleapis.com/" + name) == parsed)
        #expect(parsed.resourceName == name)
        #expect(parsed.stsAudience == "//iam.googleapis.com/" + name)
    }

    @Test func principalsAreTheOnesIAMBindingsName() throws {
        let parsed = try WorkloadIdentityProviderName.parse(name)
        #expect(parsed.principal(subject: "repo:acme/app:ref:refs/heads/main")
            == "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci-pool/subject/repo:acme/app:ref:refs/heads/main")
        #expect(parsed.principalSet(attribute: "repository", value: "acme/app")
            == "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci-pool/attribute.repository/acme/app")
    }

    @Test(arguments: [
        ("projects/my-project/locations/global/workloadIdentityPools/ci-pool/providers/github", "number"),
        ("projects/123/locations/europe-west1/workloadIdentityPools/ci-pool/providers/github", "global"),
        ("projects/123/locations/global/workloadIdentityPools/CI_POOL/providers/github", "pool ID"),
        ("projects/123/locations/global/workloadIdentityPools/ci-pool/providers/gh", "provider ID"),
        ("projects/123/locations/global/workloadIdentityPools/ci-pool/providers/-github", "provider ID"),
        ("projects/123/locations/global/workloadIdentityPools/ci-pool", "full resource name"),
        ("projects/123/locations/global/workloadIdentityPools/ci-pool/providers/github/extra", "full resource name"),
        ("", "full resource name"),
        ("projects/123456789012345678901/locations/global/workloadIdentityPools/ci-pool/providers/github", "at most 20 digits"),
    ])
    func malformedNamesSayWhichPartIsWrong(text: String, expected: String) {
        #expect {
            try WorkloadIdentityProviderName.parse(text)
        } throws: { error in
            (error as? WorkloadIdentityProviderName.Problem)?.message.contains(expected) == true
        }
    }

    @Test func aLongProjectIDIsShortenedInTheMessage() {
        let long = String(repeating: "x", count: 500)
        #expect {
            try WorkloadIdentityProviderName.parse("projects/\(long)/locations/global/workloadIdentityPools/ci-pool/providers/github")
        } throws: { error in
            ((error as? WorkloadIdentityProviderName.Problem)?.message.count ?? 1000) < 200
        }
    }
}
