internal import CLibXML2
import Foundation

/// A parsed XML document, read safely: no DTD, no entities, nothing fetched, libxml2's limits kept.
///
/// The tree stays inside libxml2; comparison and printing walk it in place. A document is immutable
/// after parsing and may be read from several threads at once.
public final class XMLDocument: @unchecked Sendable {
    /// The name used in messages: a file path, or `<stdin>`.
    public let name: String
    let doc: xmlDocPtr

    /// Parses `bytes` (any encoding libxml2 detects or the declaration names) as a document called `name`.
    public convenience init(bytes: some Collection<UInt8>, name: String) throws(XMLParseError) {
        try self.init(bytes: bytes, name: name, names: nil)
    }

    /// Parses `bytes` as a document called `name`, its names interned in `names` (shared with the other documents
    /// parsed with it) when given.
    public convenience init(bytes: some Collection<UInt8>, name: String, names: XMLNameTable?) throws(XMLParseError) {
        let array = bytes as? [UInt8] ?? Array(bytes)
        let parsed: Result<xmlDocPtr, XMLParseError> = array.withUnsafeBytes { buffer in
            Result { () throws(XMLParseError) in try XMLDocument.parse(buffer, name: name, names: names) }
        }
        try self.init(parsed: parsed.get(), name: name)
    }

    /// Parses a UTF-8 string as a document called `name`.
    public convenience init(string: String, name: String = "<string>") throws(XMLParseError) {
        try self.init(bytes: Array(string.utf8), name: name)
    }

    /// Reads and parses the file at `path`; `-` reads standard input.
    public convenience init(contentsOf path: String) throws(XMLParseError) {
        let bytes: [UInt8]
        do {
            if path == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else if let read = LocalFile.bytes(atPath: path) {
                bytes = read
            } else {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "it could not be opened"
            throw XMLParseError(
                file: path, line: 0, column: 0,
                message: "cannot read the file (\(Self.describeReadFailure(path: path, fallback: reason))); check the path and its permissions")
        }
        try self.init(bytes: bytes, name: path == "-" ? "<stdin>" : path)
    }

    private init(parsed: xmlDocPtr, name: String) {
        self.doc = parsed
        self.name = name
    }

    deinit { xmlFreeDoc(doc) }

    /// The XML version and encoding the document declared, for reports.
    public var declaredEncoding: String? {
        doc.pointee.encoding.map { String(cString: $0) }
    }

    var root: xmlNodePtr? { xmlDocGetRootElement(doc) }

    private static func describeReadFailure(path: String, fallback: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return fallback
    }
}

// MARK: - Safe parsing

/// What the parse callbacks saw: the first error, and whether a DOCTYPE was refused.
private final class ParseState {
    var error: (line: Int, column: Int, message: String)?

    func record(line: Int, column: Int, message: String) {
        if error == nil { error = (line, column, message) }
    }
}

extension XMLDocument {
    static func parse(_ buffer: UnsafeRawBufferPointer, name: String, names: XMLNameTable? = nil) throws(XMLParseError)
        -> xmlDocPtr
    {
        _ = LibXML2.initialized
        guard buffer.baseAddress != nil, buffer.count > 0 else {
            throw XMLParseError(file: name, line: 1, column: 1, message: "the document is empty; expected an XML document")
        }
        guard buffer.count < Int(Int32.max) else {
            throw XMLParseError(file: name, line: 1, column: 1, message: "the document is larger than 2 GiB, which libxml2 cannot read")
        }
        // A small document is parsed from a copy padded with spaces (faster, the same tree); when that fails, the
        // document itself is parsed again, so that an error's line and column are the document's own.
        if LibXML2.mayPad(buffer), let document = LibXML2.withTerminatedCopy(buffer, padding: LibXML2.padding, { padded in
            try? parseOnce(UnsafeRawBufferPointer(padded), name: name, names: names)
        }) {
            return document
        }
        return try parseOnce(buffer, name: name, names: names)
    }

    private static func parseOnce(_ buffer: UnsafeRawBufferPointer, name: String, names: XMLNameTable?)
        throws(XMLParseError) -> xmlDocPtr
    {
        let base = buffer.baseAddress!
        guard let ctxt = xmlCreateMemoryParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(buffer.count)) else {
            throw XMLParseError(file: name, line: 1, column: 1, message: "libxml2 could not start a parser (out of memory?)")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        names?.adopt(ctxt)
        xmlCtxtUseOptions(ctxt, LibXML2.parseOptions)

        let state = ParseState()
        let statePointer = Unmanaged.passUnretained(state).toOpaque()
        ctxt.pointee._private = statePointer
        if let sax = ctxt.pointee.sax {
            sax.pointee.internalSubset = refuseDoctype
            sax.pointee.externalSubset = nil
            sax.pointee.resolveEntity = nil
            sax.pointee.getEntity = nil
            sax.pointee.getParameterEntity = nil
            sax.pointee.entityDecl = nil
            sax.pointee.serror = recordContextError
        }
        // Errors raised outside the parser context (encoding, I/O) come through the thread's handler.
        xmlSetStructuredErrorFunc(statePointer, recordGlobalError)
        defer { xmlSetStructuredErrorFunc(nil, ignoreError) }

        withExtendedLifetime(state) { _ = xmlParseDocument(ctxt) }
        let document = ctxt.pointee.myDoc
        let failed = state.error != nil || ctxt.pointee.wellFormed == 0 || ctxt.pointee.nsWellFormed == 0
        if failed || document == nil {
            if let document { xmlFreeDoc(document) }
            ctxt.pointee.myDoc = nil
            let (line, column, message) = state.error
                ?? (Int(ctxt.pointee.input?.pointee.line ?? 1), Int(ctxt.pointee.input?.pointee.col ?? 1),
                    "the document is not well-formed XML")
            throw XMLParseError(file: name, line: max(line, 1), column: max(column, 1), message: message)
        }
        return document!
    }
}

private func state(ofContext context: UnsafeMutableRawPointer?) -> ParseState? {
    guard let context else { return nil }
    let ctxt = context.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let raw = ctxt.pointee._private else { return nil }
    return Unmanaged<ParseState>.fromOpaque(raw).takeUnretainedValue()
}

/// SOAP forbids DTDs, and a DTD is where entities and external fetches come from: stop at once.
private let refuseDoctype: internalSubsetSAXFunc = { context, _, _, _ in
    guard let context else { return }
    let ctxt = context.assumingMemoryBound(to: xmlParserCtxt.self)
    let line = Int(ctxt.pointee.input?.pointee.line ?? 1)
    state(ofContext: context)?.record(
        line: line, column: 1,
        message: "a DOCTYPE declaration is not allowed (SOAP messages carry no DTD, and a DTD can expand "
            + "entities or fetch files); remove it")
    xmlStopParser(ctxt)
}

private let recordContextError: xmlStructuredErrorFunc = { context, error in
    guard let error, let state = state(ofContext: context) else { return }
    record(error.pointee, into: state)
}

private let recordGlobalError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    record(error.pointee, into: Unmanaged<ParseState>.fromOpaque(context).takeUnretainedValue())
}

private let ignoreError: xmlStructuredErrorFunc = { _, _ in }

private func record(_ error: xmlError, into state: ParseState) {
    guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    var message = error.message.map { String(cString: $0) } ?? "the document is not well-formed XML"
    message = message.trimmingCharacters(in: .whitespacesAndNewlines)
    message = readable(message)
    state.record(line: Int(error.line), column: Int(error.int2), message: message)
}

/// libxml2's messages made one readable line that says what to do; unknown ones are kept, lower-cased.
private func readable(_ message: String) -> String {
    let text = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    func words(after prefix: String) -> [Substring] { text.dropFirst(prefix.count).split(separator: " ") }
    if text.hasPrefix("Start tag expected") || text.hasPrefix("Document is empty") {
        return "this is not XML: expected '<' to start the document"
    }
    if text.hasPrefix("Premature end of data in tag ") {
        let parts = words(after: "Premature end of data in tag ")
        if parts.count >= 3 {
            return "the document ends before element <\(parts[0])> (opened on line \(parts[2])) is closed; "
                + "it looks truncated"
        }
    }
    if text.hasPrefix("Opening and ending tag mismatch: ") {
        let parts = words(after: "Opening and ending tag mismatch: ")
        if parts.count >= 5 {
            return "the end tag </\(parts[4])> does not match the open element <\(parts[0])> (line \(parts[2]))"
        }
    }
    if text.hasPrefix("Input is not proper UTF-8") {
        let bytes = text.components(separatedBy: "Bytes: ").last ?? ""
        return "the bytes are not valid UTF-8 (\(bytes)); declare the document's real encoding, "
            + "for example <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
    }
    if text.hasPrefix("Document labelled ") {
        return "the document declares "
            + text.dropFirst("Document labelled ".count).replacingOccurrences(of: " but has ", with: " but is ").replacingOccurrences(of: " content", with: "")
            + "; make the encoding declaration match the bytes"
    }
    if text.hasPrefix("Excessive depth in document") {
        return "elements are nested deeper than libxml2's safety limit (256 levels); this is refused"
    }
    if text.hasPrefix("Namespace prefix ") {
        return "the n" + text.dropFirst() + "; declare it with xmlns:PREFIX=\"URI\""
    }
    if text.hasPrefix("Extra content at the end of the document") {
        return "there is content after the root element ends; a document has exactly one root element"
    }
    guard let first = text.first else { return "the document is not well-formed XML" }
    return first.lowercased() + text.dropFirst()
}

/// Reading a local file's bytes with plain POSIX calls: cheaper than Foundation's `URL` and `Data` for many small
/// files, and free of the 4 KiB that Foundation's `FileManager.contents(atPath:)` leaks for an empty file here
/// (found by fuzzing the cassette loader; docs/hardening.md).
public enum LocalFile {
    /// The bytes of the regular file at `path`, or nil when it cannot be read (so the caller can say why).
    public static func bytes(atPath path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            filled += count
        }
        return bytes
    }
}
