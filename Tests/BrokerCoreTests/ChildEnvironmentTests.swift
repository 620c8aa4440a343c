import BrokerCore
import Foundation
import Testing

@Suite struct ChildEnvironmentTests {
    func session(_ variables: [(String, String)], removed: [String] = []) -> ChildSession {
        ChildSession(identity: "x", expiration: nil, variables: variables.map { EnvironmentExport.Variable($0.0, $0.1) }, removed: removed)
    }

    @Test func replacesWhatTheUserSetAndSaysSoByNameOnly() throws {
        let composed = try ChildEnvironment.compose(base: ["AWS_REGION": "eu-west-1", "PATH": "/bin", "AWS_PROFILE": "mine"],
                                                    sessions: [("aws", session([("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "AKIA")],
                                                                               removed: ["AWS_PROFILE", "AWS_ROLE_ARN"]))])
        #expect(composed.variables == ["AWS_REGION": "us-east-1", "PATH": "/bin", "AWS_ACCESS_KEY_ID": "AKIA"])
        #expect(composed.notes.count == 2)
        #expect(composed.notes.contains { $0.hasPrefix("removed AWS_PROFILE") })
        #expect(composed.notes.contains { $0.hasPrefix("AWS_REGION was set") && !$0.contains("eu-west-1") && !$0.contains("us-east-1") })
    }

    @Test func twoProvidersSettingOneVariableDifferentlyAreRefused() throws {
        #expect(throws: BrokerError.self) {
            try ChildEnvironment.compose(base: [:], sessions: [("a", session([("TOKEN", "1")])), ("b", session([("TOKEN", "2")]))])
        }
        // The same value twice (a shared region) is no conflict; one's removal never undoes another's setting.
        let same = try ChildEnvironment.compose(base: [:], sessions: [("a", session([("REGION", "r")])),
                                                                      ("b", session([("REGION", "r")], removed: ["REGION"]))])
        #expect(same.variables == ["REGION": "r"])
    }

    @Test func waitStatusesReadAsAShellReportsThem() {
        #expect(ChildProcess.shellStatus(7 << 8) == 7)
        #expect(ChildProcess.shellStatus(0) == 0)
        #expect(ChildProcess.shellStatus(15) == 143)
        #expect(ChildProcess.shellStatus(9 | 0x80) == 137)  // core dumped: still the signal
    }

    @Test func ephemeralFilesHoldTheirBytesUntilClosedAndLeaveNoName() throws {
        let files = EphemeralFiles()
        let path = try files.path(holding: Data("secret-jwt".utf8))
        #expect(path.hasPrefix("/proc/\(getpid())/fd/"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret-jwt")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "/dev/shm").filter { $0.hasPrefix("broker-exec-") }
        #expect(leftovers.isEmpty)
        files.close()
        // The descriptor may already be another file's (tests run in parallel); never ours again.
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) != "secret-jwt")
    }
}
