@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

/// The AWS record a login keeps in the state file, built by hand and read back as Codable.
@Suite struct AWSLoginRecordTests {
    @Test func theHandBuiltRecordIsWhatItsCodableEncodingIsAndReadsBack() throws {
        for record in [AWSLoginRecord(profile: "prod", region: "eu-west-1"), AWSLoginRecord(profile: "default", region: nil)] {
            #expect(record.json == (try JSONValue.encoding(record)))
            let result = LoginResult(credentials: IssuedCredentials(identity: "i", expiration: nil), written: [], adapterRecord: record.json)
            #expect(result.adapterRecord == record.json)
            let stored = StateStore.Record(name: "aws", adapter: "aws-sts", identity: "i", expiration: nil, written: [],
                                           adapterRecord: result.adapterRecord)
            #expect(AWSLoginRecord(stored) == record)
        }
    }
}
