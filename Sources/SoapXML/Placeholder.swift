/// A value pattern written in an expected document's text or attribute value, such as `${int}`.
///
/// A placeholder occupies the whole value (surrounding whitespace aside): `${ignore}` or `${any}` matches
/// anything, `${redacted}` matches anything and marks a value the recorder removed, a type name
/// (`${int}`, `${dateTime}`, `${guid}`, …) checks the actual value lexically against that XML Schema
/// type, and `${regex:PATTERN}` requires the whole value to match PATTERN.
public enum Placeholder: Equatable, Sendable {
    /// `${ignore}` or `${any}`: any value, or none.
    case ignore
    /// `${redacted}`: any value; the recorder removed a credential here.
    case redacted
    /// `${TYPE}`: a lexically valid value of an XML Schema built-in type.
    case typed(XSDLexicalType)
    /// `${regex:PATTERN}`: a value the pattern matches as a whole.
    case regex(String)

    /// The placeholder `value` consists of, nil when it is an ordinary value; throws for `${unknown}`.
    public static func parse(_ value: String) throws(PlaceholderError) -> Placeholder? {
        var copy = value
        let result: Result<Placeholder?, PlaceholderError> = copy.withUTF8 { bytes in
            Result { () throws(PlaceholderError) in try parse(bytes: bytes) }
        }
        return try result.get()
    }

    /// Byte-level `parse(_:)`: cheap (two byte tests) when the value is not a placeholder.
    static func parse(bytes raw: UnsafeBufferPointer<UInt8>) throws(PlaceholderError) -> Placeholder? {
        let bytes = Lexical.trimmed(raw)
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "{"),
            bytes[bytes.count - 1] == UInt8(ascii: "}")
        else { return nil }
        let body = String(decoding: UnsafeBufferPointer(rebasing: bytes[2..<(bytes.count - 1)]), as: UTF8.self)
        if body.hasPrefix("regex:") {
            let pattern = String(body.dropFirst("regex:".count))
            guard !pattern.isEmpty else { throw PlaceholderError(placeholder: "${\(body)}", reason: "the pattern is empty") }
            return .regex(pattern)
        }
        switch body {
        case "ignore", "any": return .ignore
        case "redacted": return .redacted
        default:
            if let type = XSDLexicalType(name: body) { return .typed(type) }
            throw PlaceholderError(
                placeholder: "${\(body)}",
                reason: "it is not a known placeholder; use one of ${ignore}, ${redacted}, ${string}, ${int}, ${long}, "
                    + "${decimal}, ${double}, ${boolean}, ${dateTime}, ${date}, ${guid}, ${base64}, ${regex:PATTERN} "
                    + "or another XML Schema built-in type name")
        }
    }

    /// How the placeholder is written.
    public var text: String {
        switch self {
        case .ignore: "${ignore}"
        case .redacted: "${redacted}"
        case .typed(let type): "${\(type.rawValue)}"
        case .regex(let pattern): "${regex:\(pattern)}"
        }
    }
}

/// A placeholder that cannot be used: unknown name, or a pattern that does not compile.
public struct PlaceholderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The placeholder as written.
    public var placeholder: String
    /// Why it cannot be used, and what to write instead.
    public var reason: String

    /// Creates an error for `placeholder`.
    public init(placeholder: String, reason: String) {
        self.placeholder = placeholder
        self.reason = reason
    }

    /// `the placeholder ${x} …: reason`.
    public var description: String { "the placeholder \(placeholder) cannot be used: \(reason)" }
}
