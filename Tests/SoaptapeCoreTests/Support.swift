import Foundation

enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let specs = root.appendingPathComponent("specs").path
    static let pages = root.appendingPathComponent("Tests/Fixtures/pages").path
    static let sharedSeeds: String? = {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/seeds").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// A new temporary folder with `files` (relative path → text).
    static func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)").path
        for (name, text) in files {
            let file = (path as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return path
    }
}
