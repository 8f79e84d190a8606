/// An error at a place in a file the user wrote: printed as `FILE:LINE:COL: error: …`, then the offending
/// line and a caret under the column.
public struct SourceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file, as the user named it.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int
    /// What is wrong and what to do, as a sentence.
    public var message: String
    /// The text of the offending line, when known.
    public var sourceLine: String?

    /// Creates an error at `file:line:column`.
    public init(file: String, line: Int, column: Int, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    /// The first line alone: `FILE:LINE:COL: error: message`.
    public var headline: String { "\(file):\(line):\(column): error: \(message)" }

    /// The headline, then the offending line with a caret under the column.
    public var description: String {
        guard let sourceLine else { return headline }
        return headline + "\n" + sourceLine + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
    }
}

/// Several errors found in one pass, reported together.
public struct SourceErrors: Error, Sendable, CustomStringConvertible {
    /// The errors in file order.
    public var errors: [SourceError]

    /// Creates the collection.
    public init(_ errors: [SourceError]) { self.errors = errors }

    /// Each error's description, one after another.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Suggests the closest known word for a misspelt one.
enum DidYouMean {
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
