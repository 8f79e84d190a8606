internal import CLibXML2
import Foundation

/// Replaces secret values in an XML document's bytes with `${redacted}`, leaving every other byte as it
/// travelled.
///
/// The elements (and attributes) to redact are chosen by XPath on the parsed document; an element with
/// children has every non-empty leaf value below it redacted, so the structure stays. The bytes are then
/// rewritten in one pass over the original text (UTF-8 or ASCII-compatible encodings); a document in any
/// other encoding is written anew in UTF-8 from its tree, which is the one case where more than the secret
/// values change.
public struct Redactor: Sendable {
    /// The placeholder that replaces a secret value.
    public static let placeholder = "${redacted}"

    /// What is redacted.
    public let selectors: [XPathSelector]
    /// All selectors as one expression, evaluated once per document (when they are not all walked natively).
    private let union: XPathSelector?
    /// Words one of which a document must contain for any selector to match; nil when unknown.
    private let hints: [[UInt8]]?
    /// True when every selector is element name steps, each walked natively (faster than evaluating the union).
    private let walksNatively: Bool
    /// The selectors as element name steps, when every one is only that (what `scan` needs).
    let elementPaths: [ElementPath]?
    /// The local names the selectors end in (`//Credentials/Ticket` → Ticket): what is redacted by name in bytes
    /// that are not well-formed XML, where no path can be followed.
    let lastNames: [[UInt8]]

    /// SuperOffice's credentials: `ApplicationToken`, `Credentials/Ticket` (request headers and the ticket
    /// an authentication returns) and any `Password`, in any namespace.
    public static let superOfficeCredentials: [XPathSelector] = [
        try! XPathSelector("//ApplicationToken"),
        try! XPathSelector("//Credentials/Ticket"),
        try! XPathSelector("//Password"),
    ]

    /// The redactor for `superOfficeCredentials`, built once (building one compiles its XPaths).
    public static let superOffice = Redactor()

    /// A redactor for `selectors`.
    public init(selectors: [XPathSelector] = Redactor.superOfficeCredentials) {
        self.selectors = selectors
        var namespaces: [String: String] = [:]
        for selector in selectors { namespaces.merge(selector.namespaces) { first, _ in first } }
        let consistent = selectors.allSatisfy { selector in
            selector.namespaces.allSatisfy { namespaces[$0.key] == $0.value }
        }
        walksNatively = !selectors.isEmpty && selectors.allSatisfy(\.isElementPath)
        let paths = selectors.compactMap(\.elementPath)
        elementPaths = paths.count == selectors.count ? paths : nil
        union = consistent && !selectors.isEmpty && !walksNatively
            ? try? XPathSelector(selectors.map { "(\($0.expression))" }.joined(separator: " | "), namespaces: namespaces)
            : nil
        lastNames = selectors.compactMap { selector in
            guard let step = selector.expression.split(separator: "/").last else { return nil }
            let local = step.split(separator: ":").last ?? step
            guard !local.isEmpty, local.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
                return nil
            }
            return Array(local.utf8)
        }
        // The last name test of a simple path (`//Credentials/Ticket` → Ticket) must appear in the text: when every
        // selector ends in a name, those names are what a body must hold to have anything to redact.
        hints = !lastNames.isEmpty && lastNames.count == selectors.count ? lastNames : nil
    }

    /// False when `bytes` surely hold nothing to redact (ASCII-compatible text naming none of the selected
    /// elements); true when they may.
    public func mayMatch(_ bytes: [UInt8]) -> Bool {
        guard let hints, !bytes.isEmpty else { return !bytes.isEmpty }
        return ByteSearch.isWide(bytes) || hints.contains { Self.contains(bytes, $0) }
    }

    /// The document with its secrets replaced, and how many values were replaced. In input that is not
    /// well-formed XML (cut off, broken) no path can be followed: every element named like a selector's last step
    /// has the text after its start tag replaced instead (`redactByName`). Pass `document` when the bytes are
    /// already parsed, to save parsing them again.
    public func redact(_ bytes: [UInt8], document parsed: XMLDocument? = nil) -> (bytes: [UInt8], count: Int) {
        // Fast path for ASCII-compatible text that names none of the redacted elements. UTF-16 and UTF-32
        // (a byte-order mark, or NUL bytes among the first four) always take the full path.
        if !mayMatch(bytes) { return (bytes, 0) }
        guard let document = parsed ?? (try? XMLDocument(bytes: bytes, name: "body")) else {
            return redactByName(bytes)
        }
        // What is redacted: elements (and attributes) as the nodes libxml2 found.
        var elements: [Node] = []
        var attributes: [(parent: Node, name: String)] = []
        for selector in walksNatively ? selectors : union.map({ [$0] }) ?? selectors {
            for raw in selector.select(in: document) {
                let node = raw.assumingMemoryBound(to: xmlNode.self)
                if node.pointee.type == XML_ATTRIBUTE_NODE, let parent = node.pointee.parent {
                    attributes.append((parent, string(node.pointee.name)))
                } else if node.isElement {
                    elements.append(node)
                }
            }
        }
        if elements.isEmpty && attributes.isEmpty { return (bytes, 0) }
        let encoding = document.declaredEncoding?.uppercased() ?? "UTF-8"
        let asciiCompatible = ["UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-1", "LATIN1", "WINDOWS-1252"]
            .contains(encoding)
        if asciiCompatible && !(bytes.count >= 2 && (bytes[0] == 0xFE || bytes[0] == 0xFF)) {
            // The byte scanner knows targets by path hash; no path is spelled out.
            var hashed = Set(elements.map(PathHash.of))
            for (parent, name) in attributes { hashed.insert(PathHash.attribute(PathHash.of(parent), Array(name.utf8))) }
            return Scanner(bytes: bytes, targets: hashed).rewrite()
        }
        var targets = Set(elements.map(Self.indexedPath))
        for (parent, name) in attributes { targets.insert(Self.indexedPath(parent) + "@" + name) }
        return rewriteTree(document, targets: targets)
    }

    /// For bytes that are not well-formed XML: every start tag whose local name is a selector's last step has the
    /// text after it replaced, up to the next `<` (or the end of a CDATA section, or of the bytes when they are cut
    /// off there). More than a parse would replace (`//Credentials/Ticket` becomes every `Ticket`), so that no
    /// secret a parse would have found is kept because the document around it is broken.
    public func redactByName(_ bytes: [UInt8]) -> (bytes: [UInt8], count: Int) {
        guard !lastNames.isEmpty, mayMatch(bytes) else { return (bytes, 0) }
        var replacements: [Range<Int>] = []
        let n = bytes.count
        var i = 0
        func starts(_ text: StaticString, at index: Int) -> Bool { ByteSearch.has(text, in: bytes, at: index) }
        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            var j = i + 1
            while j < n, !Lexical.isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">"), bytes[j] != UInt8(ascii: "/"),
                bytes[j] != UInt8(ascii: "<") { j += 1 }
            let qualified = bytes[(i + 1)..<j]
            let local = qualified.lastIndex(of: UInt8(ascii: ":")).map { qualified[($0 + 1)...] } ?? qualified
            guard !local.isEmpty, lastNames.contains(where: { $0.elementsEqual(local) }) else {
                i = j
                continue
            }
            // The rest of the start tag: attributes (quoted values may hold '>'), then '>' or '/>'.
            var empty = false
            while j < n, bytes[j] != UInt8(ascii: ">") {
                if bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                    let quote = bytes[j]
                    j += 1
                    while j < n, bytes[j] != quote { j += 1 }
                }
                empty = j < n && bytes[j] == UInt8(ascii: "/")
                j += 1
            }
            guard j < n, !empty else {
                i = j
                continue
            }
            let start = j + 1
            var end = start
            if starts("<![CDATA[", at: start) {
                end = start + 9
                while end < n, !starts("]]>", at: end) { end += 1 }
                end = min(end + 3, n)
            } else {
                while end < n, bytes[end] != UInt8(ascii: "<") { end += 1 }
            }
            if bytes[start..<end].contains(where: { !Lexical.isSpace($0) }) { replacements.append(start..<end) }
            i = end
        }
        return (Self.splice(bytes, replacing: replacements), replacements.count)
    }

    /// `bytes` with each of `ranges` (sorted, disjoint) replaced by `placeholder`.
    static func splice(_ bytes: [UInt8], replacing ranges: [Range<Int>]) -> [UInt8] {
        guard !ranges.isEmpty else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16 * ranges.count)
        var position = 0
        for range in ranges {
            output.append(contentsOf: bytes[position..<range.lowerBound])
            output.append(contentsOf: placeholder.utf8)
            position = range.upperBound
        }
        output.append(contentsOf: bytes[position...])
        return output
    }

    static func contains(_ bytes: [UInt8], _ word: [UInt8]) -> Bool { ByteSearch.contains(bytes, word) }

    /// The steps from the root to `node`: each local name with its 1-based index among same-named siblings.
    static func indexedSteps(_ node: Node) -> [(name: String, index: Int)] {
        var steps: [(name: String, index: Int)] = []
        var current: Node? = node
        while let element = current, element.isElement {
            var index = 1
            var sibling = element.pointee.prev
            while let previous = sibling {
                if previous.isElement, sameString(previous.pointee.name, element.pointee.name) { index += 1 }
                sibling = previous.pointee.prev
            }
            steps.append((element.localName, index))
            current = element.pointee.parent
        }
        return steps.reversed()
    }

    /// `/Envelope[1]/Body[1]/X[1]`: every step indexed, the form the tree rewrite builds.
    static func indexedPath(_ node: Node) -> String {
        "/" + indexedSteps(node).map { "\($0.name)[\($0.index)]" }.joined(separator: "/")
    }

    private func rewriteTree(_ document: XMLDocument, targets: Set<String>) -> (bytes: [UInt8], count: Int) {
        guard var root = document.rootElement() else { return ([], 0) }
        var count = 0
        func walk(_ element: inout XMLElement, path: String, counts: inout [String: Int], inside: Bool) {
            counts[element.localName, default: 0] += 1
            let here = path + "/\(element.localName)[\(counts[element.localName]!)]"
            let redacted = inside || targets.contains(here)
            for index in element.attributes.indices where targets.contains(here + "@" + element.attributes[index].localName) {
                element.attributes[index].value = Redactor.placeholder
                count += 1
            }
            if redacted, element.elements.isEmpty, !element.text.trimmingXMLWhitespace().isEmpty {
                element.children = [.text(Redactor.placeholder)]
                count += 1
            }
            var childCounts: [String: Int] = [:]
            for index in element.children.indices {
                if case .element(var child) = element.children[index] {
                    walk(&child, path: here, counts: &childCounts, inside: redacted)
                    element.children[index] = .element(child)
                }
            }
        }
        var rootCounts: [String: Int] = [:]
        walk(&root, path: "", counts: &rootCounts, inside: false)
        return (Array(root.document().utf8), count)
    }
}

/// Finding an ASCII word in a body without decoding it.
public enum ByteSearch {
    /// The index just past the next `text` at or after `index`, or the end of `bytes`.
    static func skip(past text: StaticString, from index: Int, in bytes: [UInt8]) -> Int {
        var j = index
        while j + text.utf8CodeUnitCount <= bytes.count {
            if has(text, in: bytes, at: j) { return j + text.utf8CodeUnitCount }
            j += 1
        }
        return bytes.count
    }

    /// The rest of a start tag that began at `tagStart`, from `index` (after its name): each attribute's name (the
    /// word before `=`, prefix included) and its value's range handed to `attribute`; the index of the closing `>`
    /// and whether the tag closed itself (`/>`). Quoted values may hold `>`.
    static func startTagRest(_ bytes: [UInt8], from index: Int, tagStart: Int,
                             attribute: (ArraySlice<UInt8>, Range<Int>) -> Void) -> (end: Int, selfClosing: Bool) {
        let n = bytes.count
        var j = index
        var selfClosing = false
        while j < n, bytes[j] != UInt8(ascii: ">") {
            if bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                let quote = bytes[j]
                var k = j + 1
                while k < n, bytes[k] != quote { k += 1 }
                var e = j - 1
                while e > tagStart, Lexical.isSpace(bytes[e]) || bytes[e] == UInt8(ascii: "=") { e -= 1 }
                var s = e
                while s > tagStart, !Lexical.isSpace(bytes[s - 1]) { s -= 1 }
                attribute(bytes[s...e], (j + 1)..<min(k, n))
                j = k + 1
                continue
            }
            if bytes[j] == UInt8(ascii: "/") { selfClosing = true }
            j += 1
        }
        return (j, selfClosing)
    }

    /// True when `bytes` hold `text` at `index`.
    static func has(_ text: StaticString, in bytes: [UInt8], at index: Int) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else { return false }
        let start = text.utf8Start
        for k in 0..<count where bytes[index + k] != start[k] { return false }
        return true
    }

    /// True when `bytes` contain `word`.
    public static func contains(_ bytes: [UInt8], _ word: [UInt8]) -> Bool {
        guard !word.isEmpty, bytes.count >= word.count else { return false }
        // memchr (vectorised) to each candidate first byte, memcmp for the rest: this runs over every recorded body.
        return bytes.withUnsafeBytes { haystack in
            word.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, let target = needle.baseAddress else { return false }
                let first = Int32(needle[0])
                var offset = 0
                let last = haystack.count - needle.count
                while offset <= last {
                    guard let found = memchr(base + offset, first, last - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(found, target, needle.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }

    /// True when `bytes` are UTF-16 or UTF-32 (a byte-order mark, or NUL among the first four), where a byte
    /// search for ASCII cannot be trusted.
    public static func isWide(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(4).contains(0) || bytes.first == 0xFE || bytes.first == 0xFF
    }
}

/// Element paths (`/Envelope[1]/Body[1]/X[1]`) as 64-bit hashes, so that the scanner needs no string per
/// element. A collision could only redact one value too many, never miss a target.
enum PathHash {
    static let root: UInt64 = 0xcbf2_9ce4_8422_2325

    static func step(_ parent: UInt64, _ name: some Sequence<UInt8>, _ index: Int) -> UInt64 {
        var hash = (parent ^ 0x2F) &* 0x100_0000_01b3
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ UInt64(truncatingIfNeeded: index) ^ 0x5B00) &* 0x100_0000_01b3
        return hash
    }

    static func attribute(_ element: UInt64, _ name: some Sequence<UInt8>) -> UInt64 {
        step(element ^ 0x40, name, 0)
    }

    /// The hash of an element's path, as the scanner computes it.
    static func of(_ node: Node) -> UInt64 {
        Redactor.indexedSteps(node).reduce(root) { step($0, $1.name.utf8, $1.index) }
    }
}

/// One pass over well-formed XML text, tracking element paths, collecting the byte ranges to replace.
private struct Scanner {
    let bytes: [UInt8]
    let targets: Set<UInt64>

    private struct Open {
        var name: ArraySlice<UInt8>
        var path: UInt64
        var redacted: Bool
        var contentStart: Int
        var hasChildren = false
        var childCounts: [ArraySlice<UInt8>: Int] = [:]
    }

    func rewrite() -> (bytes: [UInt8], count: Int) {
        var replacements: [Range<Int>] = []
        var stack: [Open] = []
        var rootCounts: [ArraySlice<UInt8>: Int] = [:]
        var i = 0
        let n = bytes.count
        func starts(_ text: StaticString, at index: Int) -> Bool { ByteSearch.has(text, in: bytes, at: index) }
        func skip(past text: StaticString, from index: Int) -> Int { ByteSearch.skip(past: text, from: index, in: bytes) }
        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            if starts("<!--", at: i) { i = skip(past: "-->", from: i); continue }
            if starts("<![CDATA[", at: i) { i = skip(past: "]]>", from: i); continue }
            // A processing instruction ends at `?>` (its text may hold `>`); a declaration at the first `>`.
            if starts("<?", at: i) { i = skip(past: "?>", from: i + 2); continue }
            if starts("<!", at: i) { i = skip(past: ">", from: i); continue }
            if starts("</", at: i) {
                let end = skip(past: ">", from: i)
                if let open = stack.popLast() {
                    if open.redacted, !open.hasChildren {
                        let content = bytes[open.contentStart..<i]
                        if content.contains(where: { !Lexical.isSpace($0) }) {
                            replacements.append(open.contentStart..<i)
                        }
                    }
                }
                i = end
                continue
            }
            // A start tag: name, attributes (quoted values may hold '>'), then '>' or '/>'.
            var j = i + 1
            while j < n, !Lexical.isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">"), bytes[j] != UInt8(ascii: "/") { j += 1 }
            let qualified = bytes[(i + 1)..<j]
            let name = qualified.lastIndex(of: UInt8(ascii: ":")).map { qualified[($0 + 1)...] } ?? qualified
            let index: Int
            if stack.isEmpty {
                rootCounts[name, default: 0] += 1
                index = rootCounts[name]!
            } else {
                stack[stack.count - 1].hasChildren = true
                stack[stack.count - 1].childCounts[name, default: 0] += 1
                index = stack[stack.count - 1].childCounts[name]!
            }
            let path = PathHash.step(stack.last?.path ?? PathHash.root, name, index)
            let (end, selfClosing) = ByteSearch.startTagRest(bytes, from: j, tagStart: i) { attribute, value in
                let local = attribute.lastIndex(of: UInt8(ascii: ":")).map { attribute[($0 + 1)...] } ?? attribute
                if !value.isEmpty, targets.contains(PathHash.attribute(path, local)) { replacements.append(value) }
            }
            j = end
            let redacted = (stack.last?.redacted ?? false) || targets.contains(path)
            if !selfClosing { stack.append(Open(name: name, path: path, redacted: redacted, contentStart: j + 1)) }
            i = j + 1
        }
        return (Redactor.splice(bytes, replacing: replacements.sorted { $0.lowerBound < $1.lowerBound }),
                replacements.count)
    }
}
