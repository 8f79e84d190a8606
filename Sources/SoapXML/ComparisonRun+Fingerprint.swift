internal import CLibXML2

/// Canonical fingerprints of subtrees (FNV-1a over the canonical form, the run's rules applied), used to
/// pair equal siblings when children must be aligned. Equal subtrees always share a fingerprint;
/// the converse is only overwhelmingly likely, so pairs are still compared in full.
extension ComparisonRun {
    struct FNV1a {
        private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

        @inline(__always)
        mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes {
                value ^= UInt64(byte)
                value = value &* 0x100_0000_01b3
            }
        }

        /// Adds one step of an element path of local names: `/` and the element's name.
        @inline(__always)
        mutating func addStep(_ name: UnsafePointer<xmlChar>?) {
            add(UInt64(0x2F))
            add(name)
        }

        /// Adds `bytes` with every run of whitespace as one space (how the `normalize` rule reads text).
        mutating func addCollapsed(_ bytes: UnsafeBufferPointer<UInt8>) {
            var inSpace = false
            for byte in bytes {
                if Lexical.isSpace(byte) {
                    if !inSpace { add(UInt64(0x20)) }
                    inSpace = true
                } else {
                    add(UInt64(byte))
                    inSpace = false
                }
            }
        }

        @inline(__always)
        mutating func add(_ number: UInt64) {
            withUnsafeBytes(of: number) { add($0.bindMemory(to: UInt8.self)) }
        }

        mutating func add(_ string: UnsafePointer<xmlChar>?) {
            if let string { add(UnsafeBufferPointer(start: string, count: cLength(string))) }
            add(UInt64(0xFF))
        }

        mutating func add(_ string: String) {
            var copy = string
            copy.withUTF8 { add($0) }
            add(UInt64(0xFF))
        }
    }

    mutating func fingerprint(_ node: Node, in document: XMLDocument) -> UInt64 {
        if let known = fingerprints[node.identity] { return known }
        var hash = FNV1a()
        hash.add(node.pointee.name)
        addNamespace(node.pointee.ns, to: &hash)
        var attributes: UInt64 = 0
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            if !ignored.isEmpty, ignored.contains(attr.identity) { continue }
            var one = FNV1a()
            one.add(attr.pointee.name)
            addNamespace(attr.pointee.ns, to: &one)
            attr.withValue { one.add(Lexical.trimmed($0)) }
            attributes = attributes &+ one.value
        }
        hash.add(attributes)
        let text = text(of: node, preserve: false)
        text.withBytes { bytes in
            let trimmed = Lexical.trimmed(bytes)
            if options.whitespace == .normalize {
                hash.addCollapsed(trimmed)
            } else {
                hash.add(options.whitespace == .exact ? bytes : trimmed)
            }
        }
        var child = firstElement(from: node.pointee.children)
        while let current = child {
            hash.add(fingerprint(current, in: document))
            child = firstElement(from: current.pointee.next)
        }
        fingerprints[node.identity] = hash.value
        return hash.value
    }

    private mutating func addNamespace(_ ns: Namespace?, to hash: inout FNV1a) {
        switch options.namespaces {
        case .ignore: break
        case .strict: hash.add(ns?.pointee.href)
        case .map: hash.add(mappedURI(ns))
        }
    }
}
