import Foundation

// What every test target needs, once: scratch directories, file modes and text, unsigned JWTs.

/// A fresh temporary directory per test (it doubles as HOME or BROKER_HOME).
public func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "broker-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The permission bits, or -1 when the file is missing.
public func fileMode(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
}

public func readText(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// Writes `text`, creating the directories on the way.
public func writeText(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// A syntactically valid unsigned JWT with the given claims, for token sources and providers
/// (they do not verify; the cloud would).
public func fakeJWT(_ claims: String = #"{"sub":"test","aud":"a"}"#) -> String {
    func b64(_ s: String) -> String {
        Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
    return b64(#"{"alg":"RS256","kid":"k"}"#) + "." + b64(claims) + ".c2ln"
}
