import BrokerCore
import BrokerTestSupport
import Foundation
import Testing
@testable import VaultProvider

/// Logout reads the Vault server to revoke at from the adapter's own typed record, kept in the
/// state file; a record written by an earlier version (details only) still reads.
@Suite struct VaultLoginRecordTests {
    @Test func theTypedRecordSurvivesTheStateFile() throws {
        let state = StateStore(home: BrokerHome(path: temporaryDirectory()))
        let typed = VaultLoginRecord(address: "https://vault.example", namespace: "team", caCert: "/ca.pem", accessor: "acc")
        let result = LoginResult(credentials: IssuedCredentials(identity: "role r", expiration: nil), written: [], adapterRecord: typed)
        try state.record(.init(name: "vault", adapter: "vault-jwt", identity: "role r", expiration: nil, written: [],
                               adapterRecord: result.adapterRecord))
        let record = try #require(try state.records().first)
        #expect(VaultLoginRecord(record) == typed)
    }

    @Test func aRecordFromBeforeAdapterRecordsReadsItsDetails() throws {
        let old = StateStore.Record(name: "vault", adapter: "vault-jwt", identity: "", expiration: nil, written: [],
                                    details: ["address": "http://127.0.0.1:8200", "accessor": "a1"])
        #expect(VaultLoginRecord(old) == VaultLoginRecord(address: "http://127.0.0.1:8200", namespace: nil, caCert: nil, accessor: "a1"))
        let none = StateStore.Record(name: "vault", adapter: "vault-jwt", identity: "", expiration: nil, written: [])
        #expect(VaultLoginRecord(none) == nil)
    }
}
