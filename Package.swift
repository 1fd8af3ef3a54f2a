// swift-tools-version: 6.2
// Tradewind: AI-assisted automated trading, as six services over one wire contract (proto/).
import Foundation
import PackageDescription

/// One settings array for every target (CONVENTIONS: Swift 6 mode, ExistentialAny, MemberImportVisibility).
///
/// On x86 the code is compiled for x86-64-v3 (AVX2 and FMA; `haswell` is the name this toolchain
/// knows for that level) when the building machine has it: loops vectorize four wide and the
/// indicators' recurrences fuse a multiply and an add into one instruction, as TA-Lib's own FMA build
/// does on the same machine. Every x86 server CPU since 2015 has it (RHEL 10 makes it its baseline);
/// without it the same code builds for plain x86-64 and gives the same values, `fma` then being a
/// library call. arm64 has FMA in its base set.
#if arch(x86_64)
let cpuFlags: Set<Substring> = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return ["avx2", "fma", "bmi2"] }  // no /proc (an Intel Mac): every one since 2013 has them
    return Set(line.split(separator: " "))
}()
let cpuSettings: [SwiftSetting] =
    cpuFlags.isSuperset(of: ["avx2", "fma", "bmi2"]) ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
#else
let cpuSettings: [SwiftSetting] = []
#endif
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Release builds skip the run-time exclusivity checks, which NIO's inlined ByteBuffer code
    // otherwise makes on every buffer access in our modules (a runtime call and a thread-local
    // lookup each: a tenth of a Tick's encode + decode). Debug builds, which the tests run, keep
    // them, so an overlapping access still traps there.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
] + cpuSettings

/// The indicators' release code starts every function and loop on a 64-byte boundary. Their hot
/// loops are a few dozen instructions; where one fell relative to the cache lines moved with any
/// unrelated change, and the same machine code measured up to 1.5× apart from one build to the next
/// (streaming TRIMA 1.14 or 1.42 ns a bar, MIDPRICE batch 1.18 or 1.31, byte-identical functions).
/// Aligned, a loop's place no longer depends on what precedes it.
let indicatorLayout: [SwiftSetting] = [
    .unsafeFlags(["-Xllvm", "-align-all-functions=6", "-Xllvm", "-align-loops=64"], .when(configuration: .release))
]

let nio = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let coreMetrics = Target.Dependency.product(name: "CoreMetrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "Tradewind",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tradewind", targets: ["TradewindCLI"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "Contract", targets: ["Contract"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // TLS for venue adapters' REST calls (already built for the WebSocket client).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // The Model Context Protocol server (`tradewind mcp`).
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        // Its file descriptors, for the MCP client in the tests.
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
    ],
    targets: [
        // C libraries, found through pkg-config.
        .systemLibrary(name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Shared/CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CProtobufC", path: "Shared/CProtobufC", pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]),
        // protoc-c output for proto/ (generated by scripts/generate-proto.sh, committed).
        .target(name: "TradewindProto", dependencies: ["CProtobufC"], path: "Shared/TradewindProto", exclude: ["README.md"]),

        // Shared Swift libraries, dependencies pointing one way.
        .target(name: "TradingCore", path: "Shared/TradingCore", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Indicators", path: "Shared/Indicators", exclude: ["README.md"], swiftSettings: swiftSettings + indicatorLayout),
        // The strategy language, its compiler, the one signal evaluator and the backtester.
        .target(
            name: "Strategies", dependencies: ["TradingCore", "Indicators"], path: "Shared/Strategies", exclude: ["README.md"],
            swiftSettings: swiftSettings),
        .target(
            name: "Wire", dependencies: ["TradewindProto", "CProtobufC", nio], path: "Shared/Wire",
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "RPC",
            dependencies: [
                "Wire", nio, nioPosix, logging, metrics, coreMetrics, lifecycle,
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Shared/RPC", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Contract", dependencies: ["RPC", "Wire", "TradingCore"], path: "Shared/Contract", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "Bus", dependencies: ["CHiredis", "Wire", nio, logging, metrics, coreMetrics, lifecycle], path: "Shared/Bus",
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "Store", dependencies: ["CLibPQ", logging, metrics, lifecycle, nio, nioPosix], path: "Shared/Store",
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "ServiceKit",
            dependencies: [
                "RPC", "Bus", "Store", "Wire", "Contract", nio, nioPosix, logging, metrics, coreMetrics, lifecycle,
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Shared/ServiceKit", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "ServiceKitTesting", dependencies: ["ServiceKit", "RPC", "Bus", "Store", logging, lifecycle, nio, nioPosix],
            path: "Shared/ServiceKitTesting", swiftSettings: swiftSettings),
        // A C helper that fills protobuf-c structs directly: the reference for byte-equality tests
        // and the C baseline of `tradewind bench codec`.
        .target(name: "CWireReference", dependencies: ["TradewindProto", "CProtobufC"], path: "Shared/CWireReference"),

        // Raw C baselines for `tradewind bench` (TCP ping-pong and pipelining, hiredis fan-out).
        .target(name: "CBenchBaselines", dependencies: ["CHiredis"], path: "Benchmarks/CBaselines"),

        // Services.
        .target(
            name: "EchoService", dependencies: ["ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", logging],
            path: "Services/Echo", exclude: ["Main"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-echo", dependencies: ["EchoService", "ServiceKit"], path: "Services/Echo/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "MarketDataService",
            dependencies: [
                "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", logging, lifecycle, nio, nioPosix,
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            path: "Services/MarketData", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-market-data", dependencies: ["MarketDataService", "ServiceKit"], path: "Services/MarketData/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "IndicatorsService",
            dependencies: ["ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", "Indicators", logging, lifecycle, coreMetrics],
            path: "Services/Indicators", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-indicators", dependencies: ["IndicatorsService", "ServiceKit"], path: "Services/Indicators/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "ExecutionService",
            dependencies: ["ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", logging, lifecycle, coreMetrics],
            path: "Services/Execution", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-execution", dependencies: ["ExecutionService", "ServiceKit"], path: "Services/Execution/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "RiskService",
            dependencies: ["ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", logging],
            path: "Services/Risk", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-risk", dependencies: ["RiskService", "ServiceKit"], path: "Services/Risk/Main", swiftSettings: swiftSettings),
        // The AI layer's model calls: provider wire formats, the HTTP client with deadlines and
        // retries, budgets that fail closed.
        .target(
            name: "LanguageModels",
            dependencies: [
                "ServiceKit", "Strategies", "TradingCore", "RPC", logging, metrics, coreMetrics, nio, .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/LanguageModels", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "OrchestratorService",
            dependencies: [
                "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", "Indicators", "Strategies", "LanguageModels", logging, lifecycle,
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Orchestrator", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-orchestrator", dependencies: ["OrchestratorService", "ServiceKit"], path: "Services/Orchestrator/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "GatewayService",
            dependencies: [
                "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", "Strategies", logging, lifecycle, nio,
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            path: "Services/Gateway", exclude: ["Main", "README.md"], sources: ["Sources"], resources: [.copy("Migrations")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewind-gateway", dependencies: ["GatewayService", "ServiceKit"], path: "Services/Gateway/Main", swiftSettings: swiftSettings),
        .executableTarget(
            name: "TradewindCLI",
            dependencies: [
                "Contract", "RPC", "Wire", "Bus", "Store", "ServiceKit", "CWireReference", "CBenchBaselines", "CHiredis", "CLibPQ",
                "EchoService", "MarketDataService", "ExecutionService", "GatewayService", "OrchestratorService", "LanguageModels", "TradingCore", "Indicators",
                "Strategies", nio, nioPosix,
                logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
            ],
            path: "Services/CLI", exclude: ["README.md"], swiftSettings: swiftSettings),

        // Tests.
        .testTarget(
            name: "LanguageModelsTests",
            dependencies: [
                "LanguageModels", "RPC", "ServiceKit", "ServiceKitTesting", "Strategies", "TradingCore", logging, nio,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StrategiesTests", dependencies: ["Strategies", "TradingCore", "Indicators"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        // Runs the built `tradewind` binary; depends on it so `swift build --build-tests` builds it first.
        .testTarget(name: "CLITests", dependencies: ["TradewindCLI", "CBenchBaselines", "ServiceKit", "ServiceKitTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MarketDataTests",
            dependencies: [
                "MarketDataService", "ServiceKitTesting", "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", logging, nio,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        // What the service tests share: market-data without feeds, driven by the test; execution and risk beside it.
        .target(
            name: "PlatformTesting",
            dependencies: [
                "MarketDataService", "ExecutionService", "RiskService", "ServiceKitTesting", "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store",
                "TradingCore", nio,
            ],
            path: "Tests/PlatformTesting", swiftSettings: swiftSettings),
        .testTarget(
            name: "ExecutionServiceTests",
            dependencies: [
                "ExecutionService", "PlatformTesting", "ServiceKitTesting", "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", logging,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RiskServiceTests",
            dependencies: [
                "RiskService", "ExecutionService", "PlatformTesting", "ServiceKitTesting", "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore",
                nio,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "IndicatorsServiceTests",
            dependencies: [
                "IndicatorsService", "MarketDataService", "PlatformTesting", "ServiceKitTesting", "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store",
                "TradingCore", "Indicators", logging, nio,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "OrchestratorServiceTests",
            dependencies: [
                "OrchestratorService", "IndicatorsService", "RiskService", "ExecutionService", "PlatformTesting", "ServiceKitTesting", "ServiceKit",
                "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", "LanguageModels", "Strategies", nio,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayServiceTests",
            dependencies: [
                "GatewayService", "OrchestratorService", "IndicatorsService", "RiskService", "ExecutionService", "PlatformTesting", "ServiceKitTesting",
                "ServiceKit", "Contract", "RPC", "Wire", "Bus", "Store", "TradingCore", "Strategies", nio, logging,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "MCP", package: "swift-sdk"), .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings),
        // Starts the six built executables (`swift build --build-tests` builds them) as separate processes.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ServiceKitTesting", "Store", logging, .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")],
            exclude: ["schemathesis.toml", "browser-contract.test.mjs"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IndicatorsTests", dependencies: ["Indicators", "TradingCore"], exclude: ["Golden"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WireTests",
            dependencies: [
                "Wire", "CWireReference", "TradewindProto", "CProtobufC", "TradingCore", nio,
                .product(name: "NIOTestUtils", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RPCTests",
            dependencies: ["RPC", "Contract", "Wire", "TradingCore", "ServiceKitTesting", nio, nioPosix, logging, .product(name: "NIOSSL", package: "swift-nio-ssl")],
            swiftSettings: swiftSettings),
        .testTarget(name: "BusTests", dependencies: ["Bus", "Wire", "ServiceKitTesting", logging], swiftSettings: swiftSettings),
        .testTarget(name: "StoreTests", dependencies: ["Store", "ServiceKitTesting", logging], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: ["ServiceKit", "ServiceKitTesting", "EchoService", "Contract", "RPC", "Wire", "Bus", "Store", logging, nio, nioPosix],
            swiftSettings: swiftSettings),
    ]
)
