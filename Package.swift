// swift-tools-version: 6.2
import PackageDescription

// No unsafe flags (a package with them on a library target may be refused as a dependency):
// `-enforce-exclusivity=unchecked` on the engine, once a 2x win on packed-state BFS, measured no
// faster on 2026-12-01 (tandem `--exact`, 2 M and 5 M states: the same user CPU time either way).
let package = Package(
    name: "stamina-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stamina", targets: ["stamina"]),
        .library(name: "PRISM", targets: ["PRISM"]),
        .library(name: "StaminaEngine", targets: ["StaminaEngine"]),
        .library(name: "StaminaServer", targets: ["StaminaServer"]),
        .library(name: "EngineContract", targets: ["EngineContract"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Imported by StaminaServer directly (they also come with Hummingbird): declared, not borrowed.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "PRISM"),
        .target(name: "OrderedJSON"),
        // The engine/server contract (its first file): no dependencies, so a remote worker can link it.
        .target(name: "EngineContract"),
        .target(
            name: "StaminaEngine",
            dependencies: ["PRISM"]
        ),
        .target(
            name: "StaminaServer",
            dependencies: [
                "OrderedJSON",
                "PRISM",
                "EngineContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("WebApp/Assets")]
        ),
        .executableTarget(
            name: "stamina",
            dependencies: [
                "PRISM",
                "StaminaEngine",
                "StaminaServer",
                "OrderedJSON",
                "EngineContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PRISMTests",
            dependencies: ["PRISM", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "StaminaEngineTests",
            dependencies: [
                "StaminaEngine", "PRISM", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StaminaServerTests",
            dependencies: [
                "StaminaServer", "OrderedJSON", "stamina", "EngineContract",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
