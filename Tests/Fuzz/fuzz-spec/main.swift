import FuzzDriver
import Foundation
import SoaptapeCore

/// libFuzzer entry: any bytes as a spec file through the spec loader (YAML, rules, envelopes, placeholders).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.path
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    _ = try? SpecLoader.load(path)
    return 0
}

enum FuzzFile {
    static let path: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-fuzz-spec-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("Op.yaml").path
    }()
}


/// This target's entry point (SwiftPM's `<module>_main`), run by libFuzzer.
@_cdecl("fuzz_spec_main")
public func fuzzEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzSpec)
}
