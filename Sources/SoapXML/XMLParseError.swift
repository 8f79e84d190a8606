/// A document that could not be read as safe, well-formed XML, with the place where reading stopped.
public struct XMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name of the document as the user gave it (a path, or `<stdin>`).
    public var file: String
    /// The 1-based line where the problem was found.
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

    /// `FILE:LINE:COL: error: message`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
