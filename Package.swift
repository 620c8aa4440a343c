// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "broker",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "broker", targets: ["broker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        // HTTP for every provider. Not URLSession: FoundationNetworking loads libcurl and its
        // ~30 libraries into every process and cannot trust a private CA per request on Linux.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        .target(
            name: "BrokerCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "BrokerIssuer",
            dependencies: [
                "BrokerCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ]
        ),
        .target(
            name: "AWSProvider",
            dependencies: ["BrokerCore"],
            path: "Plugins/AWS"
        ),
        .target(name: "VaultProvider", dependencies: ["BrokerCore"], path: "Plugins/Vault"),
        .target(name: "TokenExchangeProvider", dependencies: ["BrokerCore"], path: "Plugins/TokenExchange"),
        .target(name: "ExecProvider", dependencies: ["BrokerCore"], path: "Plugins/Exec"),
        .target(name: "GCPProvider", dependencies: ["BrokerCore"], path: "Plugins/GCP"),
        .target(name: "AzureProvider", dependencies: ["BrokerCore"], path: "Plugins/Azure"),
        .executableTarget(
            name: "broker",
            dependencies: [
                "BrokerCore",
                "BrokerIssuer",
                "AWSProvider",
                "VaultProvider",
                "TokenExchangeProvider",
                "ExecProvider",
                "GCPProvider",
                "AzureProvider",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // --static-swift-stdlib links with -export-dynamic, which puts every Swift symbol of
            // the program (~46,000) in the dynamic table; the runtime's start-up dladdr() then
            // scans them in every process. Nothing looks our symbols up dynamically.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])],
            plugins: ["BuildStamp"]
        ),
        // `broker --version`'s commit and date, generated at build time.
        .plugin(name: "BuildStamp", capability: .buildTool(), path: "BuildPlugins/BuildStamp"),
        // Every parser of outside input, for libFuzzer (make fuzz) and corpus replay (make test).
        .executableTarget(
            name: "BrokerFuzz",
            dependencies: ["BrokerCore", "BrokerIssuer", "AWSProvider", "ExecProvider", "GCPProvider", "AzureProvider", "VaultProvider"],
            path: "Fuzz/BrokerFuzz"
        ),
        // Helpers every test target shares (scratch directories, files, unsigned JWTs).
        .target(name: "BrokerTestSupport", dependencies: ["BrokerCore"], path: "Tests/BrokerTestSupport"),
        .testTarget(name: "BrokerCoreTests", dependencies: ["BrokerCore", "BrokerTestSupport"]),
        .testTarget(name: "BrokerCLITests", dependencies: ["broker", "BrokerTestSupport"]),
        .testTarget(name: "AWSProviderTests", dependencies: ["AWSProvider", "BrokerCore", "BrokerTestSupport"]),
        .testTarget(name: "VaultProviderTests", dependencies: ["VaultProvider", "BrokerCore", "BrokerTestSupport"]),
        .testTarget(name: "TokenExchangeProviderTests", dependencies: ["TokenExchangeProvider", "BrokerCore"]),
        .testTarget(name: "GCPProviderTests", dependencies: ["GCPProvider", "BrokerCore", "BrokerTestSupport"]),
        .testTarget(name: "AzureProviderTests", dependencies: ["AzureProvider", "BrokerCore", "BrokerTestSupport"]),
        .testTarget(name: "ExecProviderTests", dependencies: ["ExecProvider", "BrokerCore", "BrokerTestSupport"]),
        .testTarget(
            name: "BrokerIssuerTests",
            dependencies: [
                "BrokerIssuer", "BrokerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
