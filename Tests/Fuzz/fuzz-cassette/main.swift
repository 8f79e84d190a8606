import FuzzDriver
import Foundation
import SoaptapeCore

/// libFuzzer entry: any bytes as a cassette through the loader (both readers), then matched and verified.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCassette(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.path
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    guard let (cassette, _) = try? CassetteLoader.load(path) else { return 0 }
    let matcher = InteractionMatcher(cassette.interactions)
    for interaction in cassette.interactions.prefix(4) {
        _ = matcher.lookup(HTTPRequestMessage(method: interaction.request.method, path: interaction.request.path,
                                              headers: [], body: interaction.request.body))
    }
    return 0
}

enum FuzzFile {
    static let path: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("c.yaml").path
    }()
}


/// This target's entry point (SwiftPM's `<module>_main`), run by libFuzzer.
@_cdecl("fuzz_cassette_main")
public func fuzzEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzCassette)
}
