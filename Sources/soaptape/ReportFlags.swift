import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
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
    func emit(_ report: some EmittableReport) throws {
        // Written a piece at a time: a report of a million interactions is never one string in memory.
        let stdout = BufferedOutput(descriptor: STDOUT_FILENO)
        if format == "json" {
            report.writeJSON(to: stdout.write)
        } else {
            report.writeText(colour: Terminal.stdoutIsColourTerminal, passing: !quiet, to: stdout.write)
        }
        stdout.flush()
        // Each form is rendered only when a file was asked for.
        let forms: [(String?, ((String) -> Void) -> Void)] = [
            (jsonFile, { report.writeJSON(to: $0) }), (junitFile, { report.writeJUnit(to: $0) }),
            (htmlFile, { $0(report.html()) }),
        ]
        for (path, render) in forms {
            guard let path else { continue }
            // Beside the file, then renamed over it: a report is whole or not there.
            let temporary = (path as NSString).deletingLastPathComponent
                + ((path as NSString).deletingLastPathComponent.isEmpty ? "" : "/")
                + ".\((path as NSString).lastPathComponent).soaptape-\(getpid())"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw CLIError(description: "\(path): error: cannot write the report (\(String(cString: strerror(errno)))); "
                               + "check that its folder exists and is writable")
            }
            let file = BufferedOutput(descriptor: descriptor)
            render(file.write)
            file.flush()
            close(descriptor)
            if file.failed || rename(temporary, path) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw CLIError(description: "\(path): error: cannot write the report (\(reason)); "
                               + "check that its folder exists and is writable")
            }
        }
    }
}

/// A report the flags can print and write: `verify`/`replay`/`serve`'s `RunReport`, `shadow`'s `ShadowReport`.
protocol EmittableReport {
    /// The JSON form, a piece at a time.
    func writeJSON(to write: (String) -> Void)
    /// The text form, a piece at a time; `passing: false` leaves out what passed.
    func writeText(colour: Bool, passing: Bool, to write: (String) -> Void)
    /// The JUnit XML form, a piece at a time.
    func writeJUnit(to write: (String) -> Void)
    /// The HTML form.
    func html() -> String
}

extension RunReport: EmittableReport {}

extension ShadowReport: EmittableReport {
    func writeJSON(to write: (String) -> Void) { write(json()) }
    func writeText(colour: Bool, passing: Bool, to write: (String) -> Void) { write(text(passing: passing)) }
    func writeJUnit(to write: (String) -> Void) { write(junit()) }
}

/// Text written to a file descriptor through a 1 MiB buffer.
final class BufferedOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// True once a write failed.
    private(set) var failed = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        var offset = 0
        while offset < buffer.count && !failed {
            let written = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                failed = true
            } else {
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
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
