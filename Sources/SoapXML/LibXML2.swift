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

    /// The namespace of `xml:` attributes such as `xml:space`.
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
}
