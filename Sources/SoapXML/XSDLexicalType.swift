/// An XML Schema built-in type whose lexical form soaptape can check without a schema.
///
/// Used by typed placeholders (`${int}`) and, through `xsi:type`, by schema-less conformance checks.
public enum XSDLexicalType: String, CaseIterable, Sendable {
    case string, normalizedString, token
    case int, long, short, byte, integer
    case nonNegativeInteger, positiveInteger, nonPositiveInteger, negativeInteger
    case unsignedInt, unsignedLong, unsignedShort, unsignedByte
    case boolean, decimal, double, float
    case dateTime, date, time, duration
    case base64Binary, hexBinary, anyURI, QName, NCName
    /// The `guid` of Microsoft's Serialization namespace (WCF).
    case guid

    /// Looks a type up by its XML Schema local name, or by the short placeholder names `base64` and `uuid`.
    public init?(name: String) {
        switch name {
        case "base64": self = .base64Binary
        case "uuid": self = .guid
        default: self.init(rawValue: name)
        }
    }

    /// True when `value` is a valid lexical form of this type (after the type's whitespace collapsing).
    public func accepts(_ value: String) -> Bool {
        var copy = value
        return copy.withUTF8 { accepts(bytes: $0) }
    }

    /// The byte-level check behind `accepts(_:)`.
    public func accepts(bytes raw: UnsafeBufferPointer<UInt8>) -> Bool {
        if self == .string { return true }
        let value = Lexical.trimmed(raw)
        switch self {
        case .string, .normalizedString, .token, .anyURI: return true
        case .int: return Lexical.integer(value, min: "-2147483648", max: "2147483647")
        case .long: return Lexical.integer(value, min: "-9223372036854775808", max: "9223372036854775807")
        case .short: return Lexical.integer(value, min: "-32768", max: "32767")
        case .byte: return Lexical.integer(value, min: "-128", max: "127")
        case .integer: return Lexical.integer(value, min: nil, max: nil)
        case .nonNegativeInteger: return Lexical.integer(value, min: "0", max: nil)
        case .positiveInteger: return Lexical.integer(value, min: "1", max: nil)
        case .nonPositiveInteger: return Lexical.integer(value, min: nil, max: "0")
        case .negativeInteger: return Lexical.integer(value, min: nil, max: "-1")
        case .unsignedInt: return Lexical.integer(value, min: "0", max: "4294967295")
        case .unsignedLong: return Lexical.integer(value, min: "0", max: "18446744073709551615")
        case .unsignedShort: return Lexical.integer(value, min: "0", max: "65535")
        case .unsignedByte: return Lexical.integer(value, min: "0", max: "255")
        case .boolean: return Lexical.boolean(value)
        case .decimal: return Lexical.decimal(value, allowExponent: false)
        case .double, .float: return Lexical.floatingPoint(value)
        case .dateTime: return Lexical.dateTime(value)
        case .date: return Lexical.date(value)
        case .time: return Lexical.time(value)
        case .duration: return Lexical.duration(value)
        case .base64Binary: return Lexical.base64(value)
        case .hexBinary: return value.count % 2 == 0 && value.allSatisfy(Lexical.isHex)
        case .QName: return Lexical.qname(value)
        case .NCName: return Lexical.ncname(value)
        case .guid: return Lexical.guid(value)
        }
    }
}

/// Hand-written lexical scanners: no regular expressions, no allocation.
enum Lexical {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    static func trimmed(_ bytes: Bytes) -> Bytes {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return Bytes(rebasing: bytes[start..<end])
    }

    static func equals(_ bytes: Bytes, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let other = Bytes(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return bytes.elementsEqual(other)
    }

    /// An optionally signed run of digits within [min, max] (bounds as decimal strings, nil for none).
    static func integer(_ value: Bytes, min: StaticString?, max: StaticString?) -> Bool {
        guard let number = SignedDigits(value) else { return false }
        if let min, number.compare(to: SignedDigits(min)) < 0 { return false }
        if let max, number.compare(to: SignedDigits(max)) > 0 { return false }
        return true
    }

    /// An integer as sign and digits with no leading zeros; zero is never negative.
    struct SignedDigits {
        var negative: Bool
        var digits: Bytes

        init?(_ value: Bytes) {
            var index = 0
            negative = false
            if let first = value.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
                negative = first == UInt8(ascii: "-")
                index = 1
            }
            guard index < value.count, value[index...].allSatisfy(Lexical.isDigit) else { return nil }
            while index < value.count - 1, value[index] == UInt8(ascii: "0") { index += 1 }
            digits = Bytes(rebasing: value[index...])
            if digits.count == 1 && digits[0] == UInt8(ascii: "0") { negative = false }
        }

        init(_ literal: StaticString) {
            self.init(Bytes(start: literal.utf8Start, count: literal.utf8CodeUnitCount))!
        }

        func compare(to other: SignedDigits) -> Int {
            if negative != other.negative { return negative ? -1 : 1 }
            var magnitude = 0
            if digits.count != other.digits.count {
                magnitude = digits.count < other.digits.count ? -1 : 1
            } else if let i = (0..<digits.count).first(where: { digits[$0] != other.digits[$0] }) {
                magnitude = digits[i] < other.digits[i] ? -1 : 1
            }
            return negative ? -magnitude : magnitude
        }
    }

    static func boolean(_ value: Bytes) -> Bool {
        equals(value, "true") || equals(value, "false") || equals(value, "1") || equals(value, "0")
    }

    /// `[+-]? (digits (. digits?)? | . digits)`, with an optional exponent when allowed.
    static func decimal(_ value: Bytes, allowExponent: Bool) -> Bool {
        var index = 0
        if index < value.count, value[index] == UInt8(ascii: "+") || value[index] == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while index < value.count, isDigit(value[index]) { index += 1; digits += 1 }
        if index < value.count, value[index] == UInt8(ascii: ".") {
            index += 1
            while index < value.count, isDigit(value[index]) { index += 1; digits += 1 }
        }
        guard digits > 0 else { return false }
        if allowExponent, index < value.count, value[index] == UInt8(ascii: "e") || value[index] == UInt8(ascii: "E") {
            index += 1
            if index < value.count, value[index] == UInt8(ascii: "+") || value[index] == UInt8(ascii: "-") { index += 1 }
            var exponentDigits = 0
            while index < value.count, isDigit(value[index]) { index += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return index == value.count
    }

    static func floatingPoint(_ value: Bytes) -> Bool {
        equals(value, "INF") || equals(value, "-INF") || equals(value, "+INF") || equals(value, "NaN")
            || decimal(value, allowExponent: true)
    }

    /// Reads exactly `count` digits at `index` as a number.
    private static func number(_ value: Bytes, _ index: inout Int, count: Int) -> Int? {
        guard index + count <= value.count else { return nil }
        var result = 0
        for i in index..<index + count {
            guard isDigit(value[i]) else { return nil }
            result = result * 10 + Int(value[i] - 0x30)
        }
        index += count
        return result
    }

    private static func expect(_ value: Bytes, _ index: inout Int, _ char: Character) -> Bool {
        guard index < value.count, value[index] == char.asciiValue! else { return false }
        index += 1
        return true
    }

    /// `-?YYYY-MM-DD` with a real day of month; leaves `index` after it.
    private static func datePart(_ value: Bytes, _ index: inout Int) -> Bool {
        if index < value.count, value[index] == UInt8(ascii: "-") { index += 1 }
        var yearDigits = 0
        var year = 0
        while index < value.count, isDigit(value[index]) {
            year = (year &* 10) &+ Int(value[index] - 0x30)
            index += 1
            yearDigits += 1
        }
        guard yearDigits >= 4, expect(value, &index, "-"), let month = number(value, &index, count: 2),
            expect(value, &index, "-"), let day = number(value, &index, count: 2), (1...12).contains(month)
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day >= 1 && day <= lengths[month - 1]
    }

    /// `hh:mm:ss(.s+)?`, 24:00:00 allowed.
    private static func timePart(_ value: Bytes, _ index: inout Int) -> Bool {
        guard let hour = number(value, &index, count: 2), expect(value, &index, ":"),
            let minute = number(value, &index, count: 2), expect(value, &index, ":"),
            let second = number(value, &index, count: 2)
        else { return false }
        var fractionNonZero = false
        if index < value.count, value[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < value.count, isDigit(value[index]) {
                if value[index] != UInt8(ascii: "0") { fractionNonZero = true }
                index += 1
                digits += 1
            }
            guard digits > 0 else { return false }
        }
        if hour == 24 { return minute == 0 && second == 0 && !fractionNonZero }
        return hour < 24 && minute < 60 && second < 60
    }

    /// `Z` or `(+|-)hh:mm`, optional; true when the rest of the value is a valid zone or nothing.
    private static func zoneAndEnd(_ value: Bytes, _ index: inout Int) -> Bool {
        if index == value.count { return true }
        if value[index] == UInt8(ascii: "Z") { return index + 1 == value.count }
        guard value[index] == UInt8(ascii: "+") || value[index] == UInt8(ascii: "-") else { return false }
        index += 1
        guard let hours = number(value, &index, count: 2), expect(value, &index, ":"),
            let minutes = number(value, &index, count: 2)
        else { return false }
        return index == value.count && minutes < 60 && (hours < 14 || (hours == 14 && minutes == 0))
    }

    static func dateTime(_ value: Bytes) -> Bool {
        var index = 0
        return datePart(value, &index) && expect(value, &index, "T") && timePart(value, &index)
            && zoneAndEnd(value, &index)
    }

    static func date(_ value: Bytes) -> Bool {
        var index = 0
        return datePart(value, &index) && zoneAndEnd(value, &index)
    }

    static func time(_ value: Bytes) -> Bool {
        var index = 0
        return timePart(value, &index) && zoneAndEnd(value, &index)
    }

    /// `-?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n)?S)?)?` with at least one component, and none after a bare T.
    static func duration(_ value: Bytes) -> Bool {
        var index = 0
        if index < value.count, value[index] == UInt8(ascii: "-") { index += 1 }
        guard expect(value, &index, "P") else { return false }
        var components = 0
        var inTime = false
        var timeComponents = 0
        var order = 0  // position of the last designator seen, to keep Y M D H M S in order
        while index < value.count {
            if value[index] == UInt8(ascii: "T") {
                guard !inTime else { return false }
                inTime = true
                index += 1
                continue
            }
            var digits = 0
            while index < value.count, isDigit(value[index]) { index += 1; digits += 1 }
            var fraction = false
            if index < value.count, value[index] == UInt8(ascii: ".") {
                index += 1
                fraction = true
                var fractionDigits = 0
                while index < value.count, isDigit(value[index]) { index += 1; fractionDigits += 1 }
                guard fractionDigits > 0 else { return false }
            }
            guard digits > 0, index < value.count else { return false }
            let designator = value[index]
            index += 1
            let rank: Int
            switch (inTime, designator) {
            case (false, UInt8(ascii: "Y")): rank = 1
            case (false, UInt8(ascii: "M")): rank = 2
            case (false, UInt8(ascii: "D")): rank = 3
            case (true, UInt8(ascii: "H")): rank = 4
            case (true, UInt8(ascii: "M")): rank = 5
            case (true, UInt8(ascii: "S")): rank = 6
            default: return false
            }
            guard rank > order, !fraction || rank == 6 else { return false }
            order = rank
            components += 1
            if inTime { timeComponents += 1 }
        }
        return components > 0 && (!inTime || timeComponents > 0)
    }

    static func base64(_ value: Bytes) -> Bool {
        var count = 0
        var padding = 0
        for byte in value {
            if isSpace(byte) { continue }
            let isAlphabet = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isDigit(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            if byte == UInt8(ascii: "=") {
                padding += 1
            } else if !isAlphabet || padding > 0 {
                return false
            }
            count += 1
        }
        return count % 4 == 0 && padding <= 2
    }

    static func guid(_ value: Bytes) -> Bool {
        let groups = [8, 4, 4, 4, 12]
        var index = 0
        for (number, length) in groups.enumerated() {
            for _ in 0..<length {
                guard index < value.count, isHex(value[index]) else { return false }
                index += 1
            }
            if number < groups.count - 1 { guard expect(value, &index, "-") else { return false } }
        }
        return index == value.count
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    static func isNameChar(_ byte: UInt8) -> Bool {
        isNameStart(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    static func ncname(_ value: Bytes) -> Bool {
        guard let first = value.first, isNameStart(first) else { return false }
        return value.dropFirst().allSatisfy(isNameChar)
    }

    static func qname(_ value: Bytes) -> Bool {
        guard let colon = value.firstIndex(of: UInt8(ascii: ":")) else { return ncname(value) }
        return ncname(Bytes(rebasing: value[..<colon])) && ncname(Bytes(rebasing: value[(colon + 1)...]))
    }
}
