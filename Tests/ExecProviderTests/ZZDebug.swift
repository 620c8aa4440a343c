@testable import ExecProvider
import BrokerCore
import Foundation
import Testing

@Test func zzDebugSignals() async throws {
    let home = temporaryDirectory()
    for body in ["exec sleep 30", "echo $$ > \"$HOME/pid\"\nexec sleep 30", "echo 'still thinking' >&2\nexec sleep 30"] {
        let argv = try shellPlugin(body, in: home)
        let start = Date()
        let r = try ProcessRunner.run(argv, stdin: Data("x".utf8), environment: ["PATH": "/usr/bin:/bin", "HOME": home], timeout: 1, what: "t")
        print("ZZ elapsed", Date().timeIntervalSince(start), r.status, r.timedOut)
    }
}
