internal import CLibXML2
import Foundation

/// What one streaming pass over a message found: its Body's first child, and its bytes with secrets redacted.
public struct ScannedMessage: Sendable {
    /// The Body's first child, as `XMLDocument.bodyFirstChild` names it; nil when there is none.
    public var bodyFirstChild: ExpandedName?
    /// The bytes with every secret value replaced by `Redactor.placeholder` (the input when none was).
    public var bytes: [UInt8]
    /// How many values were replaced.
    public var redactions: Int
    /// False when the bytes are not well-formed XML: then no Body was found, and secrets were redacted by name
    /// (`Redactor.redactByName`), as `redact` does for such bytes.
    public var wellFormed: Bool
}

extension Redactor {
    /// One pass of libxml2's SAX parser over `bytes`, building no tree: the Body's first child and the redacted
    /// bytes, the same answers as parsing an `XMLDocument`, asking it for `bodyFirstChild` and `redact`ing — at
    /// about half the cost (the record proxy does this for every request).
    ///
    /// Nil when this pass cannot give those answers: a selector that is more than element name steps, or a
    /// document libxml2 reads through an encoding converter (the byte offsets of redacted values would not be the
    /// input's). Parse an `XMLDocument` then. The parser runs with the same safety options as `XMLDocument`: no
    /// network, no entity expansion, a DOCTYPE refused.
    public func scan(_ bytes: [UInt8]) -> ScannedMessage? {
        guard let paths = elementPaths else { return nil }
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) - 1024 else {
            let (redacted, count) = redactByName(bytes)
            return ScannedMessage(bodyFirstChild: nil, bytes: redacted, redactions: count, wellFormed: false)
        }
        _ = LibXML2.initialized
        // A NUL-terminated copy, and a small document's copy padded with spaces (LibXML2.withTerminatedCopy).
        return bytes.withUnsafeBytes { original in
            let padding = LibXML2.mayPad(original) ? LibXML2.padding : 0
            return LibXML2.withTerminatedCopy(original, padding: padding) { padded -> ScannedMessage? in
                let buffer = UnsafeBufferPointer(rebasing: padded[0..<bytes.count])
                guard var kept = ScanContextPool.shared.take() else { return nil }
                // The state lives behind a pointer: libxml2's callbacks reach it through the context, without the
                // exclusivity checks a class's stored properties would cost on every element.
                let state = UnsafeMutablePointer<ScanState>.allocate(capacity: 1)
                state.initialize(to: ScanState(paths: paths, bytes: buffer))
                defer {
                    state.deinitialize(count: 1)
                    state.deallocate()
                }
                let ctxt = kept.context
                ctxt.pointee._private = UnsafeMutableRawPointer(state)
                xmlSetStructuredErrorFunc(nil, { _, _ in })
                let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                let document = xmlCtxtReadMemory(ctxt, start, Int32(buffer.count + padding), nil, nil,
                                                 LibXML2.parseOptions)
                if let document { xmlFreeDoc(document) }
                ctxt.pointee._private = nil
                let wellFormed = !state.pointee.refused && ctxt.pointee.wellFormed != 0 && ctxt.pointee.nsWellFormed != 0
                // Only a context that read a whole document to its end is used again (nothing of it is left open).
                kept.uses += 1
                let whole = wellFormed && !state.pointee.unreliable && state.pointee.open.isEmpty
                ScanContextPool.shared.give(kept, reusable: whole)
                if state.pointee.unreliable { return nil }
                guard wellFormed else {
                    let (redacted, count) = redactByName(bytes)
                    return ScannedMessage(bodyFirstChild: nil, bytes: redacted, redactions: count, wellFormed: false)
                }
                return ScannedMessage(bodyFirstChild: state.pointee.bodyFirstChild,
                                      bytes: state.pointee.rewritten(bytes),
                                      redactions: state.pointee.replacements.count, wellFormed: true)
            }
        }
    }
}

/// libxml2 parser contexts for scans, kept between scans: making one (its tables, its name dictionary) costs about
/// a third of a scan of a small message. A context is dropped after many uses, or once its dictionary of names has
/// grown large, so that arbitrary traffic cannot grow it without bound.
private final class ScanContextPool: @unchecked Sendable {
    struct Kept {
        var context: xmlParserCtxtPtr
        var uses = 0
    }

    static let shared = ScanContextPool()
    private let lock = NSLock()
    private var idle: [Kept] = []
    private let maximumIdle = 8
    private let maximumUses = 10_000
    private let maximumNames = 50_000

    /// A context whose SAX handler calls the scan's callbacks only: no tree, no entity lookups, no DTD.
    func take() -> Kept? {
        if let kept = lock.withLock({ idle.popLast() }) { return kept }
        guard let context = xmlNewParserCtxt() else { return nil }
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = scanStartElement
        handler.endElementNs = scanEndElement
        handler.internalSubset = scanRefuseDoctype
        handler.serror = { _, _ in }
        context.pointee.sax.pointee = handler
        return Kept(context: context)
    }

    func give(_ kept: Kept, reusable: Bool) {
        let keep = reusable && kept.uses < maximumUses && xmlDictSize(kept.context.pointee.dict) < maximumNames
            && lock.withLock { () -> Bool in
                guard idle.count < maximumIdle else { return false }
                idle.append(kept)
                return true
            }
        if !keep { xmlFreeParserCtxt(kept.context) }
    }
}

/// The scan's state between libxml2's callbacks: the open elements, and what was found so far.
private struct ScanState {
    struct Open {
        /// Inside (or at) a selected element: its leaf values are redacted.
        var redacted: Bool
        /// Where the element's content starts; nil for an empty-element tag (`<a/>`).
        var contentStart: Int?
        var hasChildren = false
        /// True for the document's first Body (a child of the root, in the root's namespace).
        var isBody = false
    }

    let paths: [ElementPath]
    let bytes: UnsafeBufferPointer<UInt8>
    /// The open elements, root first.
    var open: [Open] = []
    /// For each open element, the steps each path's children may try (`paths.count` masks per element).
    var trying: [UInt64] = []
    var replacements: [Range<Int>] = []
    var rootNamespace: UnsafePointer<xmlChar>?
    /// 0 before the first Body, 1 inside it, 2 once its first child (or its end) was seen.
    var bodyProgress = 0
    var bodyFirstChild: ExpandedName?
    /// Set when libxml2's position did not look as expected (an encoding converter, say): the caller parses instead.
    var unreliable = false
    var refused = false

    init(paths: [ElementPath], bytes: UnsafeBufferPointer<UInt8>) {
        self.paths = paths
        self.bytes = bytes
        open.reserveCapacity(16)
        trying.reserveCapacity(16 * paths.count)
    }

    /// The parser's position in the input, in bytes.
    static func position(_ ctxt: xmlParserCtxtPtr) -> Int? {
        guard let input = ctxt.pointee.input, let cur = input.pointee.cur, let base = input.pointee.base else {
            return nil
        }
        return Int(input.pointee.consumed) + (cur - base)
    }

    mutating func start(_ ctxt: xmlParserCtxtPtr, localName: UnsafePointer<xmlChar>?,
                        namespace: UnsafePointer<xmlChar>?) {
        // libxml2 reports a start tag with its position on the tag's closing `>` (or the `/` of `/>`).
        guard ctxt.pointee.input?.pointee.buf?.pointee.encoder == nil, let position = Self.position(ctxt),
            position < bytes.count, bytes[position] == UInt8(ascii: ">") || bytes[position] == UInt8(ascii: "/")
        else {
            unreliable = true
            xmlStopParser(ctxt)
            return
        }
        let depth = open.count
        var selected = false
        var parentRedacted = false
        if depth == 0 {
            rootNamespace = namespace
            for path in paths {
                let (isSelected, children) = path.visit(trying: ElementPath.rootTrying, localName: localName,
                                                        namespace: namespace)
                selected = selected || isSelected
                trying.append(children)
            }
        } else {
            open[depth - 1].hasChildren = true
            parentRedacted = open[depth - 1].redacted
            let parent = (depth - 1) * paths.count
            for (index, path) in paths.enumerated() {
                let tried = trying[parent + index]
                let (isSelected, children) = tried == 0 ? (false, 0)
                    : path.visit(trying: tried, localName: localName, namespace: namespace)
                selected = selected || isSelected
                trying.append(children)
            }
        }
        var element = Open(redacted: parentRedacted || selected,
                           contentStart: bytes[position] == UInt8(ascii: ">") ? position + 1 : nil)
        if depth == 1, bodyProgress == 0, ScanState.body.equals(localName), sameString(namespace, rootNamespace) {
            element.isBody = true
            bodyProgress = 1
        } else if depth == 2, bodyProgress == 1, open[1].isBody {
            bodyProgress = 2
            bodyFirstChild = ExpandedName(namespace: string(namespace), localName: string(localName))
        }
        open.append(element)
    }

    mutating func end(_ ctxt: xmlParserCtxtPtr) {
        guard let element = open.popLast() else { return }
        trying.removeLast(paths.count)
        if element.isBody, bodyProgress == 1 { bodyProgress = 2 }
        guard element.redacted, !element.hasChildren, let contentStart = element.contentStart else { return }
        // libxml2 reports an end tag with its position just past the tag's `>`; the tag starts at the `<` before.
        guard let position = Self.position(ctxt), position <= bytes.count, position > contentStart,
            bytes[position - 1] == UInt8(ascii: ">")
        else {
            unreliable = true
            xmlStopParser(ctxt)
            return
        }
        var tagStart = position - 1
        while tagStart > contentStart, bytes[tagStart] != UInt8(ascii: "<") { tagStart -= 1 }
        guard bytes[tagStart] == UInt8(ascii: "<"), tagStart + 1 < bytes.count, bytes[tagStart + 1] == UInt8(ascii: "/")
        else {
            unreliable = true
            xmlStopParser(ctxt)
            return
        }
        if bytes[contentStart..<tagStart].contains(where: { !Lexical.isSpace($0) }) {
            replacements.append(contentStart..<tagStart)
        }
    }

    /// The input with every replacement made.
    func rewritten(_ input: [UInt8]) -> [UInt8] {
        // Leaves close in document order, so the ranges are already sorted and disjoint.
        Redactor.splice(input, replacing: replacements)
    }

    static let body = CString("Body")
}

private func scanState(_ context: UnsafeMutableRawPointer?) -> (xmlParserCtxtPtr, UnsafeMutablePointer<ScanState>)? {
    guard let context else { return nil }
    let ctxt = context.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let raw = ctxt.pointee._private else { return nil }
    return (ctxt, raw.assumingMemoryBound(to: ScanState.self))
}

private let scanStartElement: startElementNsSAX2Func = { context, localName, _, namespace, _, _, _, _, _ in
    guard let (ctxt, state) = scanState(context) else { return }
    state.pointee.start(ctxt, localName: localName, namespace: namespace)
}

private let scanEndElement: endElementNsSAX2Func = { context, _, _, _ in
    guard let (ctxt, state) = scanState(context) else { return }
    state.pointee.end(ctxt)
}

/// SOAP forbids DTDs: the scan stops at one, as `XMLDocument` does.
private let scanRefuseDoctype: internalSubsetSAXFunc = { context, _, _, _ in
    guard let (ctxt, state) = scanState(context) else { return }
    state.pointee.refused = true
    xmlStopParser(ctxt)
}
