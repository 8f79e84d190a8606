import Foundation
import SoaptapeCore

/// libFuzzer entry: any bytes as a spec file through the spec loader (YAML, rules, envelopes, placeholders).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFile.path
    FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    _ = try? SpecLoader.load(path)
    return 0
}

enum FuzzFile {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-fuzz-\(getpid())/Op.yaml").path
    nonisolated(unsafe) static let made: Bool = {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return true
    }()
}

/// SwiftPM names an executable's entry point `<module>_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_spec_main")
public func fuzzEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzSpec)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
