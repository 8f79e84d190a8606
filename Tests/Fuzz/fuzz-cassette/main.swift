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
    rewrite(Array(cassette.interactions.prefix(8)), header: cassette.header)
    return 0
}

/// What the loader read, written again by the writer, must load as the same interactions (sequence numbers aside):
/// the writer's encoding (block bodies, quoted scalars, base64) round-trips whatever the loader can give it.
func rewrite(_ interactions: [Interaction], header: CassetteHeader) {
    let copy = FuzzFile.path + ".copy.yaml"
    try? FileManager.default.removeItem(atPath: copy)
    guard let writer = try? CassetteWriter(path: copy, header: header) else { return }
    for interaction in interactions { _ = try? writer.append(interaction) }
    guard let (reloaded, _) = try? CassetteLoader.load(copy) else {
        fatalError("a cassette the writer wrote does not load")
    }
    func unnumbered(_ list: [Interaction]) -> [Interaction] {
        list.map { var interaction = $0; interaction.sequence = 0; return interaction }
    }
    if unnumbered(reloaded.interactions) != unnumbered(interactions) {
        fatalError("the writer's text did not round-trip an interaction the loader read")
    }
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
