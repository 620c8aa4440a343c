@testable import BrokerCore
import Foundation
import Testing

/// What a login runs on a second core at start.
@Suite struct LoginWarmUpTests {
    @Test func theHTTPWarmUpBuildsAndShutsDownAClientWithoutANetwork() async {
        #expect(await HTTPClient.warmUp())
    }
}
