// swift-tools-version:6.0
import PackageDescription

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
    ],
    targets: [
        // libxml2, seen only by SoapXML.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // The XML engine: safe parsing, canonical comparison, canonical printing, lexical type checks.
        .target(name: "SoapXML", dependencies: ["CLibXML2"]),
        // The domain: SOAP versions, specs, cassettes, matching. Never opens a socket.
        .target(name: "SoaptapeCore", dependencies: ["SoapXML"]),
        // The command-line tool: parses arguments and prints.
        .executableTarget(
            name: "soaptape",
            dependencies: [
                "SoapXML",
                "SoaptapeCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver for `make bench`.
        .executableTarget(name: "soaptape-bench", dependencies: ["SoapXML", "CLibXML2"], path: "Benchmarks/soaptape-bench"),
        .testTarget(name: "SoapXMLTests", dependencies: ["SoapXML"]),
        .testTarget(name: "SoaptapeCoreTests", dependencies: ["SoaptapeCore"]),
        .testTarget(name: "SoaptapeCLITests", dependencies: ["soaptape"]),
    ]
)
