import BrokerCore
import Foundation
import JWTKit

/// Issuer keys in OpenBao (or Vault) transit: every replica signs through
/// `POST {mount}/sign/{key}/sha2-256` with the key version pinned (so `kid` and signature always
/// agree) and publishes every available version's public key, read from `GET {mount}/keys/{key}`.
/// The private key never leaves OpenBao.
///
/// A new version signs only once it has been published for `activationDelay` (a replica's
/// refresh interval): every replica's JWKS holds it before any token carries it, so a verifier
/// that fetches the JWKS through a load balancer never meets an unknown `kid`.
public struct TransitKeys: IssuerKeys {
    let client: OpenBaoClient
    public let mount: String
    public let key: String
    public let activationDelay: TimeInterval

    public init(connection: OpenBaoConnection, mount: String, key: String, activationDelay: TimeInterval, transport: any HTTPTransport) {
        client = OpenBaoClient(connection: connection, transport: transport)
        self.mount = mount
        self.key = key
        self.activationDelay = activationDelay
    }

    /// One version of the transit key, as broker publishes it.
    public struct Version: Sendable {
        public var number: Int
        public var entry: KeyStore.Entry
    }

    var name: String { "\(mount)/keys/\(key)" }

    public func published(algorithm: SigningAlgorithm?, now: Date) async throws -> [KeyStore.Entry] {
        try await versions(now: now).filter { isPublished($0.entry, now: now) }.map(\.entry)
    }

    func isPublished(_ entry: KeyStore.Entry, now: Date) -> Bool {
        entry.retiredAt.map { now.timeIntervalSince($0) < KeyStore.retention } ?? true
    }

    public func signer(algorithm: SigningAlgorithm?) async throws -> any TokenSigning {
        let now = Date()
        let all = try await versions(now: now)
        // The newest version every replica has had time to publish; the first one at once.
        guard let active = all.first(where: { now.timeIntervalSince($0.entry.createdAt) >= activationDelay }) ?? all.last else {
            throw BrokerError.failure("transit key \(name) has no version to sign with", hint: "run 'broker idp init-transit'")
        }
        if let algorithm, algorithm != active.entry.algorithm {
            throw BrokerError.usage("transit key \(name) is \(active.entry.algorithm.rawValue), not \(algorithm.rawValue)",
                                    hint: "transit keys keep their type: drop issuer.algorithm, or create another key with 'broker idp init-transit --algorithm \(algorithm.rawValue)'")
        }
        return TransitSigner(client: client, mount: mount, key: key, version: active.number, kid: active.entry.kid, algorithm: active.entry.algorithm)
    }

    public func rotate(algorithm: SigningAlgorithm?, retireNow: Bool, now: Date) async throws -> (kid: String, algorithm: SigningAlgorithm, removed: [String]) {
        let before = try await versions(now: now)
        if let algorithm, let current = before.first?.entry.algorithm, algorithm != current {
            throw BrokerError.usage("transit key \(name) is \(current.rawValue): its new versions are too",
                                    hint: "create a key of the other type with 'broker idp init-transit --key NAME --algorithm \(algorithm.rawValue)' and point issuer.keys.key at it")
        }
        _ = try await client.call("POST", "\(mount)/keys/\(key)/rotate")
        let after = try await versions(now: now)
        guard let newest = after.first else { throw BrokerError.failure("transit key \(name) has no versions after rotating") }
        // Versions nobody needs any more leave OpenBao too: all but the new one with
        // --retire-now, else those whose tokens have all expired.
        let keep = retireNow ? newest.number : (after.last { isPublished($0.entry, now: now) }?.number ?? newest.number)
        let removed = after.filter { $0.number < keep }.map(\.entry.kid)
        if let oldest = after.last?.number, keep > oldest {
            _ = try await client.call("POST", "\(mount)/keys/\(key)/config",
                                      body: .object(["min_decryption_version": .number(Double(keep)), "min_encryption_version": .number(Double(keep))]))
            _ = try await client.call("POST", "\(mount)/keys/\(key)/trim", body: .object(["min_available_version": .number(Double(keep))]))
        }
        return (newest.entry.kid, newest.entry.algorithm, removed)
    }

    public func stamp() -> Date? { nil }

    /// Creates the key when it does not exist; says whether it did.
    public func create(algorithm: SigningAlgorithm) async throws -> Bool {
        let existing = try await client.call("GET", "\(mount)/keys/\(key)")
        if existing.status != 404 {
            let type = existing.data?.objectValue?["type"]?.stringValue ?? "?"
            guard Self.algorithm(type: type) == algorithm else {
                throw BrokerError.usage("transit key \(name) exists with type \(type), not \(Self.type(for: algorithm))",
                                        hint: "choose another key name (--key), or --algorithm \(Self.algorithm(type: type)?.rawValue ?? "RS256")")
            }
            return false
        }
        let created = try await client.call("POST", "\(mount)/keys/\(key)", body: .object(["type": .string(Self.type(for: algorithm))]))
        guard created.status != 404 else {
            throw BrokerError.usage("OpenBao at \(client.connection.address) has no transit engine at \(mount)/",
                                    hint: "enable it: 'bao secrets enable -path=\(mount) transit'")
        }
        return true
    }

    static func type(for algorithm: SigningAlgorithm) -> String { algorithm == .rs256 ? "rsa-2048" : "ecdsa-p256" }

    static func algorithm(type: String) -> SigningAlgorithm? {
        switch type {
        case "rsa-2048", "rsa-3072", "rsa-4096": .rs256
        case "ecdsa-p256": .es256
        default: nil
        }
    }

    /// Every available version, newest first, each retired when the next one was created.
    func versions(now: Date) async throws -> [Version] {
        let answer = try await client.call("GET", "\(mount)/keys/\(key)")
        guard answer.status != 404 else {
            throw BrokerError.usage("OpenBao at \(client.connection.address) has no transit key \(name)",
                                    hint: "create it with 'broker idp init-transit' (it also prints the policy broker needs), after 'bao secrets enable -path=\(mount) transit'")
        }
        return try Self.versions(from: answer.data, name: name, address: client.connection.address, now: now)
    }

    /// Reads `data` of a transit key's read answer (outside input: fuzzed).
    public static func versions(from data: JSONValue?, name: String, address: String, now: Date) throws -> [Version] {
        guard let data = data?.objectValue, let type = data["type"]?.stringValue, let keys = data["keys"]?.objectValue else {
            throw BrokerError.failure("OpenBao at \(address) answered \(name) without its type and keys")
        }
        guard let algorithm = Self.algorithm(type: type) else {
            throw BrokerError.usage("transit key \(name) is \(type), which cannot sign the tokens broker issues",
                                    hint: "use an rsa-2048 (RS256) or ecdsa-p256 (ES256) key: 'broker idp init-transit'")
        }
        // Version numbers are small integers; anything else is not a version broker can pin.
        func version(_ value: JSONValue?) -> Int {
            guard let number = value?.numberValue, number.isFinite, number >= 0, number < 1e9 else { return 0 }
            return Int(number)
        }
        let floor = max(version(data["min_available_version"]), version(data["min_decryption_version"]))
        var created: [Int: Date] = [:]
        var found: [(Int, PublicJWK)] = []
        for (label, value) in keys {
            guard let number = Int(label), number >= 1, number < 1_000_000_000, number >= floor, let entry = value.objectValue,
                  let pem = entry["public_key"]?.stringValue else { continue }
            created[number] = entry["creation_time"]?.stringValue.flatMap(ISOTime.parse) ?? now
            found.append((number, try publicJWK(pem, algorithm: algorithm, name: "\(name) version \(number)")))
        }
        return found.sorted { $0.0 > $1.0 }.map { number, jwk in
            let retired = created.filter { $0.key > number }.min { $0.key < $1.key }?.value
            return Version(number: number, entry: KeyStore.Entry(kid: jwk.kid!, algorithm: algorithm, createdAt: created[number]!,
                                                                  retiredAt: retired, publicKey: jwk))
        }
    }

    static func publicJWK(_ pem: String, algorithm: SigningAlgorithm, name: String) throws -> PublicJWK {
        do {
            switch algorithm {
            case .rs256:
                let primitives = try Insecure.RSA.PublicKey(pem: pem).getKeyPrimitives()
                return PublicJWK.rsa(modulus: primitives.modulus, exponent: primitives.publicExponent)
            case .es256:
                guard let parameters = try ES256PublicKey(pem: pem).parameters else { throw BrokerError.failure("no parameters") }
                return PublicJWK.ec(x: parameters.x, y: parameters.y)
            }
        } catch {
            throw BrokerError.failure("the public key of transit key \(name) is not a \(algorithm.rawValue) key in PEM: \(error)")
        }
    }
}

/// Signs through transit with one pinned version: header and payload are built here, the
/// signature comes from OpenBao (PKCS#1 v1.5 for RSA, JWS `r||s` for ECDSA).
struct TransitSigner: TokenSigning {
    let client: OpenBaoClient
    let mount: String
    let key: String
    let version: Int
    let kid: String
    let algorithm: SigningAlgorithm

    func sign(_ claims: [String: JSONValue]) async throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let header = try encoder.encode(["alg": algorithm.rawValue, "kid": kid, "typ": "JWT"])
        let payload = try encoder.encode(TokenClaims(values: claims))
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        var body: [String: JSONValue] = ["input": .string(Data(input.utf8).base64EncodedString()), "key_version": .number(Double(version))]
        if algorithm == .rs256 { body["signature_algorithm"] = .string("pkcs1v15") } else { body["marshaling_algorithm"] = .string("jws") }
        let answer = try await client.call("POST", "\(mount)/sign/\(key)/sha2-256", body: .object(body))
        guard let signature = answer.data?.objectValue?["signature"]?.stringValue,
              case let parts = signature.split(separator: ":"), parts.count == 3, parts[1] == "v\(version)" else {
            throw BrokerError.failure("OpenBao at \(client.connection.address) answered the signing of \(mount)/keys/\(key) v\(version) without its signature")
        }
        let raw = String(parts[2])
        // RSA signatures come in standard base64, JWS-marshaled ECDSA ones already in base64url.
        let encoded = algorithm == .rs256 ? Data(base64Encoded: raw).map { Base64URL.encode($0) } : raw
        guard let encoded else { throw BrokerError.failure("OpenBao's signature for \(mount)/keys/\(key) is not base64") }
        return input + "." + encoded
    }
}
