/// A set of HTTP header names, asked case-insensitively without lower-casing (and so allocating) the name asked
/// about: the proxy asks it for every header of every request and response.
public struct HeaderNameSet: Sendable, ExpressibleByArrayLiteral {
    /// The names, lower-case, grouped by their UTF-8 length: `byLength[n]` holds those of n bytes (an array, not a
    /// dictionary, so that asking costs no hashing).
    private let byLength: [[[UInt8]]]

    /// A set of `names`, in any case.
    public init<Names: Sequence<String>>(_ names: Names) {
        let lowercased = Set(names.map { $0.lowercased() })
        var byLength = [[[UInt8]]](repeating: [], count: (lowercased.map(\.utf8.count).max() ?? 0) + 1)
        for name in lowercased.sorted() { byLength[name.utf8.count].append(Array(name.utf8)) }
        self.byLength = byLength
    }

    /// A set of the names listed.
    public init(arrayLiteral names: String...) { self.init(names) }

    /// True when `name` is in the set, compared without regard to ASCII case.
    public func contains(_ name: String) -> Bool {
        let utf8 = name.utf8
        let count = utf8.count
        guard count < byLength.count, !byLength[count].isEmpty else { return false }
        return byLength[count].contains { Self.equalsIgnoringCase(utf8, lowercase: $0) }
    }

    /// True when `name` equals `lowercase` (lower-case ASCII bytes) without regard to ASCII case.
    static func equalsIgnoringCase(_ name: String.UTF8View, lowercase: [UInt8]) -> Bool {
        guard name.count == lowercase.count else { return false }
        var index = 0
        for byte in name {
            let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if folded != lowercase[index] { return false }
            index += 1
        }
        return true
    }

    /// The set with `other`'s names added.
    public func union(_ other: HeaderNameSet) -> HeaderNameSet {
        HeaderNameSet(names + other.names)
    }

    /// The names, lower-case.
    public var names: [String] { byLength.flatMap { $0.map { String(decoding: $0, as: UTF8.self) } } }
}

extension String {
    /// True when this header name equals `other` without regard to ASCII case (no allocation).
    public func equalsIgnoringCase(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == (y >= 0x41 && y <= 0x5A ? y | 0x20 : y)
        }
    }
}
