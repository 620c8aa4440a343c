@_exported import BrokerTestSupport
import BrokerCore
import BrokerIssuer
import Foundation

func temporaryHome() -> BrokerHome {
    let path = NSTemporaryDirectory() + "broker-issuer-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return BrokerHome(path: path)
}


func makeIssuer(_ home: BrokerHome = temporaryHome(), algorithm: SigningAlgorithm? = nil,
                url: String = "https://issuer.example.com", repository: String? = nil) -> Issuer {
    Issuer(settings: IssuerSettings(url: url, algorithm: algorithm), home: home, repository: repository,
           environment: ["USER": "alice"])
}

func b64(_ json: String) -> String { Base64URL.encode(Data(json.utf8)) }
