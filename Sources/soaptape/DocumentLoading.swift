import Foundation
import SoapXML

/// Reading documents for the CLI, with errors that point at the file, line and column.
enum DocumentLoading {
    /// Parses the file at `path` (`-` for stdin) or throws a one-line input error.
    static func load(_ path: String) throws -> XMLDocument {
        do {
            return try XMLDocument(contentsOf: path)
        } catch {
            throw CLIError(description: error.description)
        }
    }

    /// Refuses an expected document whose placeholders cannot be used, naming the first one's place.
    static func checkPlaceholders(_ document: XMLDocument, path: String) throws {
        guard let problem = document.placeholderProblems().first else { return }
        var column = 1
        if path != "-", let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if problem.line >= 1, problem.line <= lines.count,
                let range = lines[problem.line - 1].range(of: problem.placeholder)
            {
                column = lines[problem.line - 1].distance(from: lines[problem.line - 1].startIndex, to: range.lowerBound) + 1
            }
        }
        throw CLIError.input(document.name, line: problem.line, column: column,
                             "the placeholder \(problem.placeholder) cannot be used: \(problem.reason)")
    }
}
