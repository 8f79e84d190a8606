// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "soaptape",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "soaptape", targets: ["soaptape"]),
        .library(name: "SoapXML", targets: ["SoapXML"]),
        .library(name: "SoaptapeCore", targets: ["SoaptapeCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // libxml2, seen only by SoapXML.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib, seen only by SoaptapeHTTP: recorded bodies are stored decoded.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The XML engine: safe parsing, canonical comparison, canonical printing, lexical type checks.
        .target(name: "SoapXML", dependencies: ["CLibXML2"]),
        // The domain: SOAP versions, specs, cassettes, matching. Never opens a socket.
        .target(name: "SoaptapeCore", dependencies: ["SoapXML", .product(name: "Yams", package: "Yams")]),
        // The HTTP side: the sandbox server (SwiftNIO) and outbound calls (AsyncHTTPClient).
        .target(
            name: "SoaptapeHTTP",
            dependencies: [
                "SoaptapeCore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The command-line tool: parses arguments and prints.
        .executableTarget(
            name: "soaptape",
            dependencies: [
                "SoapXML",
                "SoaptapeCore",
                "SoaptapeHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver for `make bench`.
        .executableTarget(name: "soaptape-bench", dependencies: ["SoapXML", "SoaptapeCore", "CLibXML2"], path: "Benchmarks/soaptape-bench"),
        .testTarget(name: "SoapXMLTests", dependencies: ["SoapXML"]),
        .testTarget(name: "SoaptapeCoreTests", dependencies: ["SoaptapeCore"]),
        .testTarget(
            name: "SoaptapeHTTPTests",
            dependencies: ["SoaptapeHTTP", .product(name: "NIOSSL", package: "swift-nio-ssl")]
        ),
        .testTarget(name: "SoaptapeCLITests", dependencies: ["soaptape", "SoaptapeCore", "SoaptapeHTTP"]),
    ]
)

// libFuzzer targets, one per surface that reads untrusted input: declared only for `make fuzz` (SOAPTAPE_FUZZ=1, its
// own build folder, everything compiled with -sanitize=fuzzer,address), so ordinary builds never see them.
// See docs/hardening.md.
if ProcessInfo.processInfo.environment["SOAPTAPE_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzDriver", path: "Tests/Fuzz/FuzzDriver"))
    for (name, dependencies) in [("fuzz-xml", ["SoapXML"]), ("fuzz-spec", ["SoaptapeCore"]),
                                 ("fuzz-cassette", ["SoaptapeCore"]), ("fuzz-soap", ["SoapXML", "SoaptapeCore"])] {
        package.targets.append(.executableTarget(
            name: name, dependencies: (dependencies + ["FuzzDriver"]).map { .target(name: $0) }, path: "Tests/Fuzz/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
