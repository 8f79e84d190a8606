import ArgumentParser
import Foundation
import SoaptapeCore

/// The report options shared by `serve`, `replay` and `verify`: text or JSON on stdout, and any of JSON,
/// JUnit XML and HTML files at once.
struct ReportFlags: ParsableArguments {
    @Option(name: .customLong("format"), help: ArgumentHelp("What stdout gets: text or json.", valueName: "format"))
    var format: String = "text"

    @Option(name: .customLong("json"), help: ArgumentHelp("Also write the report as JSON to this file.", valueName: "file"))
    var jsonFile: String?

    @Option(name: .customLong("junit"), help: ArgumentHelp("Also write the report as JUnit XML to this file.",
                                                           valueName: "file"))
    var junitFile: String?

    @Option(name: .customLong("html"), help: ArgumentHelp("Also write the report as one HTML page to this file.",
                                                          valueName: "file"))
    var htmlFile: String?

    @Flag(name: .customLong("quiet"), help: "In text, list only the interactions that did not pass.")
    var quiet = false

    func validate() throws {
        guard format == "text" || format == "json" else {
            throw ValidationError("--format '\(format)' is not a format; use text or json.")
        }
    }

    /// Prints the report on stdout and writes the files asked for; a file that cannot be written is an error
    /// (exit 2) naming it.
    func emit(_ report: RunReport) throws {
        let output = format == "json" ? report.json()
            : report.text(colour: Terminal.stdoutIsColourTerminal, passing: !quiet)
        FileHandle.standardOutput.write(Data(output.utf8))
        // Each form is rendered only when a file was asked for.
        let forms: [(String?, () -> String)] = [(jsonFile, report.json), (junitFile, report.junit), (htmlFile, report.html)]
        for (path, render) in forms {
            guard let path else { continue }
            do {
                try Data(render().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CLIError(description: "\(path): error: cannot write the report (\(error.localizedDescription)); "
                               + "check that its folder exists and is writable")
            }
        }
    }
}

/// Cassettes named on the command line: files, or folders searched for `*.yaml`.
enum CassetteLoading {
    /// The cassette files under `paths`, in the order given (a folder's files sorted).
    static func files(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [path]
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            var found: [String] = []
            while let relative = enumerator?.nextObject() as? String {
                if relative.hasSuffix(".yaml") { found.append((path as NSString).appendingPathComponent(relative)) }
            }
            return found.sorted()
        }
    }

    /// Every cassette under `paths`; all errors are reported together (exit 2).
    static func load(_ paths: [String]) throws -> [(name: String, cassette: Cassette)] {
        var loaded: [(String, Cassette)] = []
        var errors: [String] = []
        let files = files(paths)
        if files.isEmpty { throw CLIError(description: "error: no cassette files (*.yaml) in \(paths.joined(separator: ", "))") }
        for file in files {
            do {
                let (cassette, _) = try CassetteLoader.load(file)
                loaded.append((file, cassette))
            } catch {
                errors.append(error.description)
            }
        }
        if !errors.isEmpty { throw CLIError(description: errors.joined(separator: "\n")) }
        return loaded
    }
}

/// `NAME=VALUE` pairs from `--set`, and `NAME=VARIABLE` pairs from `--set-from-env` read from the environment.
enum ValueFlags {
    /// Checks the form of each pair.
    static func validate(_ pairs: [String], flag: String, example: String) throws {
        for pair in pairs where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("\(flag) '\(pair)' is not of the form NAME=VALUE; for example \(flag) \(example).")
        }
    }

    /// The pairs as a dictionary.
    static func parse(_ pairs: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return values
    }

    /// `FROM=TO` pairs as rewrites.
    static func rewrites(_ pairs: [String]) -> [(from: String, to: String)] {
        pairs.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }
}
