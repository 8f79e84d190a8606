internal import CLibXML2

/// A table of element and attribute names that documents parsed with it share, instead of each keeping its own.
///
/// libxml2 interns every name of a document in a dictionary of the document's own: a few kilobytes each, which
/// is a third of what a small SOAP envelope costs in memory. A server holding thousands of recorded requests
/// for matching parses them all with one table. Parse with a table from one thread at a time; documents parsed
/// with it may then be read from any thread, and freed in any order (the table lives as long as they do).
public final class XMLNameTable: @unchecked Sendable {
    let dictionary: xmlDictPtr

    /// An empty table.
    public init() {
        _ = LibXML2.initialized
        dictionary = xmlDictCreate()
    }

    deinit { xmlDictFree(dictionary) }

    /// Makes the parser `context` intern its names here rather than in a dictionary of its own.
    func adopt(_ context: xmlParserCtxtPtr) {
        if let own = context.pointee.dict { xmlDictFree(own) }
        xmlDictReference(dictionary)
        context.pointee.dict = dictionary
        // The parser recognises these names by pointer: they must come from the dictionary it now uses (libxml2 2.9
        // looks them up again as parsing starts; this does not rely on it).
        context.pointee.str_xml = xmlDictLookup(dictionary, "xml", 3)
        context.pointee.str_xmlns = xmlDictLookup(dictionary, "xmlns", 5)
        context.pointee.str_xml_ns = xmlDictLookup(dictionary, "http://www.w3.org/XML/1998/namespace", 36)
    }
}
