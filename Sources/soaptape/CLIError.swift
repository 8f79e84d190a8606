import Foundation

/// A failure the CLI reports on stderr as one line, with its exit code.
struct CLIError: Error, CustomStringConvertible {
    /// The whole line, usually `FILE:LINE:COL: error: …`.
    var description: String
    /// 1 for findings, 2 for usage, input and environment errors.
    var exitCode: Int32 = 2

    /// An input error at a place in a file.
    static func input(_ file: String, line: Int, column: Int, _ message: String) -> CLIError {
        CLIError(description: "\(file):\(line):\(column): error: \(message)")
    }
}

/// Terminal facts: whether to colour output.
enum Terminal {
    /// True when standard output is a terminal and NO_COLOR is not set.
    static var stdoutIsColourTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}
