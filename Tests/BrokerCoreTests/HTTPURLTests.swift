import BrokerCore
import Foundation
import Testing

@Suite struct HTTPURLTests {
    @Test(arguments: ["https://sts.amazonaws.com/", "http://127.0.0.1:8200", "https://[::1]:443/x", "http://h:65535"])
    func acceptsHTTPURLs(_ text: String) throws {
        #expect(try HTTPURL.parse(text, name: "--sts-endpoint").absoluteString == text)
    }

    @Test(arguments: [("http://127.0.0.1:99999/", "port 99999"), ("http://h:0/", "port 0"), ("https://h:123456789012/", "out of range"),
                      ("ftp://h/", "not an http(s) URL"), ("http:///x", "not an http(s) URL"), ("nonsense", "not an http(s) URL")])
    func refusesWithAUsageErrorNamingTheInput(_ text: String, _ reason: String) {
        let error = #expect(throws: BrokerError.self) { try HTTPURL.parse(text, name: "--sts-endpoint") }
        #expect(error?.exitCode == 2)
        #expect(error?.message.hasPrefix("--sts-endpoint: ") == true)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test func userinfoIsRefusedAndNeverEchoed() {
        let error = #expect(throws: BrokerError.self) { try HTTPURL.parse("http://user:hunter2@127.0.0.1:9/", name: "--sts-endpoint") }
        #expect(error?.message.contains("user name or password") == true)
        #expect(error.map { !$0.description.contains("hunter2") && !$0.description.contains("user:hunter2") } == true)
        #expect(HTTPURL.redacted("https://a:b@h:1/p@q") == "https://***@h:1/p@q")
        #expect(HTTPURL.redacted("https://h/p@q") == "https://h/p@q")
    }
}
