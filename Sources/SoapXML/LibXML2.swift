internal import CLibXML2

/// One-time set-up of libxml2 and the parse options soaptape always uses.
enum LibXML2 {
    /// Initialises libxml2 once per process, before any thread uses it.
    static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Safe parsing: no network, no entity substitution, no DTD loading, CDATA merged into text,
    /// line numbers past 65535 kept. XML_PARSE_HUGE is never set: libxml2's size limits stay in force.
    static let parseOptions: Int32 = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue
            | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
    )

    /// How many spaces a padded copy of a document ends in (`withTerminatedCopy`): more than the 250 bytes from its end
    /// within which libxml2 tries to grow its input at every step (INPUT_CHUNK).
    static let padding = 256

    /// True when a document may be parsed from a padded copy: small (the copy is cheap), and starting with a byte
    /// that makes its encoding ASCII-compatible (`<`, a space or a UTF-8 byte-order mark, not NUL or a UTF-16 one),
    /// so that the spaces are spaces.
    static func mayPad(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2, bytes.count <= 1 << 16 else { return false }
        let first = bytes[0], second = bytes[1]
        return (first == 0x3C || first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D || first == 0xEF)
            && second != 0
    }

    /// Calls `body` with a copy of `bytes` followed by `padding` spaces and a NUL (neither counted in the buffer it
    /// gets). libxml2 looks past a memory document's last byte for a terminating NUL, which a Swift array's storage
    /// does not have. XML allows white space after the root element, so a padded copy is well-formed exactly when
    /// `bytes` are and parses to the same tree, and libxml2 spends its end-of-input checks on the spaces.
    static func withTerminatedCopy<Result>(_ bytes: UnsafeRawBufferPointer, padding: Int,
                                           _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + padding + 1) { copy in
            let base = copy.baseAddress!
            if let source = bytes.baseAddress {
                base.initialize(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            }
            (base + bytes.count).initialize(repeating: 0x20, count: padding)
            (base + bytes.count + padding).initialize(to: 0)
            return try body(UnsafeBufferPointer(start: base, count: bytes.count + padding))
        }
    }

    /// The namespace of `xml:` attributes such as `xml:space`.
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
}
