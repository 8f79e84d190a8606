/// A document that could not be read as safe, well-formed XML, with the place where reading stopped.
public struct XMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name of the document as the user gave it (a path, or `<stdin>`).
    public var file: String
    /// The 1-based line where the problem was found; 0 when the file could not be read at all.
    public var line: Int
    /// The 1-based column where the problem was found.
    public var column: Int
    /// What was wrong, as a sentence.
    public var message: String

    /// Creates an error for `file` at `line`:`column`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COL: error: message`, the form compilers and editors understand; `FILE: error: message`
    /// when no place in the file is known (line 0).
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): error: \(message)" : "\(file): error: \(message)"
    }
}
