import Foundation
import SoapXML

/// Which values of a recorded conversation the server assigned, and where later messages used them: what
/// `replay` carries from live answers into later requests and expectations (docs/replay.md).
///
/// A value the server assigned first appears in a recorded *response* and later in recorded requests: a ticket
/// a login returns (recorded as `${redacted}`, carried by name into the later `${redacted}` of that name), an id
/// a create returns (carried by path into the later requests, and the later responses, that hold the same value).
/// Only values that can be identifiers count (see `isIdentifierLike`); where one value came from two responses,
/// the latest wins. `Rule`s add correlations the heuristics miss.
public struct CorrelationPlan: Sendable {
    /// A response value the server assigned.
    public struct Source: Sendable, Equatable {
        /// The interaction's position in its cassette (0-based).
        public var position: Int
        /// The interaction's sequence number.
        public var sequence: Int
        /// The interaction's operation label.
        public var operation: String
        /// The value's element, `/Envelope[1]/Body[1]/…`.
        public var path: String
        /// The element's local name (`SaleId`, `Ticket`).
        public var name: String
        /// The recorded value (`${redacted}` for a secret).
        public var recorded: String
        /// True for a redacted secret: carried by name into later `${redacted}` values, never shown.
        public var secret: Bool
        /// The sequence numbers of the later interactions that use it.
        public var usedIn: [Int] = []
        /// For a correlation only a rule made: the request paths it is carried into (the rule's `to`).
        var onlyInto: String?
    }

    /// A place in a later message that holds a source's recorded value.
    struct Target: Sendable, Equatable {
        var path: String
        var source: Int
    }

    /// A correlation given by hand (`--correlate FROM=TO`): a value at `from` in a response is carried into
    /// later requests that hold it at `to`, whatever it looks like.
    public struct Rule: Sendable, Equatable {
        /// Where the value stands in a response: `//SaveSaleEntityResponse/Response/SaleId`, or from `/Envelope`.
        public var from: String
        /// Where it stands in later requests: `//GetSale/SaleId`.
        public var to: String

        /// A rule from `from` to `to`.
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }

        /// Nil when `path` is not element names after `/` or `//` (`//Sale/SaleId`, `/Envelope/Body/X/Id`).
        public static func validate(_ path: String) -> String? {
            guard path.hasPrefix("/") else { return "it must start with / or //" }
            let steps = path.drop { $0 == "/" }.split(separator: "/", omittingEmptySubsequences: false)
            guard !steps.isEmpty, steps.allSatisfy({ step in
                !step.isEmpty && step.allSatisfy { $0.isLetter || $0.isNumber || "_-.:".contains($0) }
            }) else { return "it may only name elements (prefix:Name), separated by /" }
            return nil
        }

        /// True when the readable path of a leaf (`/Envelope/Body/X/Id`) is selected by `pattern`.
        static func matches(_ pattern: String, _ readable: String) -> Bool {
            func steps(_ text: Substring) -> [String] {
                text.split(separator: "/").map { step in
                    let local = step.split(separator: ":").last.map(String.init) ?? String(step)
                    return local.split(separator: "[").first.map(String.init) ?? local
                }
            }
            let wanted = steps(Substring(pattern))
            let have = steps(Substring(readable))
            return pattern.hasPrefix("//") ? have.suffix(wanted.count).elementsEqual(wanted) : have == wanted
        }
    }

    /// Every correlation found, in recorded order.
    public private(set) var sources: [Source] = []
    /// Per interaction position: the sources its live response gives a value for.
    private(set) var learned: [Int: [Int]] = [:]
    /// Per interaction position: the places in its request that take a live value.
    private(set) var requestTargets: [Int: [Target]] = [:]
    /// Per interaction position: the places in its expected response that take a live value.
    private(set) var responseTargets: [Int: [Target]] = [:]

    /// The plan for `interactions`: automatic correlations when `automatic`, those `rules` add, and (always) the
    /// secrets a recorded response hands to later requests.
    public init(_ interactions: [Interaction], automatic: Bool = true, rules: [Rule] = []) {
        var found: [Source] = []
        var latest: [String: Int] = [:]
        var latestSecret: [String: Int] = [:]
        var firstInRequest: Set<String> = []
        var requestTargets: [Int: [Target]] = [:]
        var responseTargets: [Int: [Target]] = [:]
        var learned: [Int: [Int]] = [:]
        for (position, interaction) in interactions.enumerated() {
            var carried: Set<String> = []
            for leaf in Self.envelopeLeaves(interaction.request.body) {
                if leaf.text == Redactor.placeholder {
                    if let source = latestSecret[leaf.localName], !found[source].usedIn.contains(interaction.sequence) {
                        found[source].usedIn.append(interaction.sequence)
                    }
                    continue
                }
                guard let source = latest[leaf.text] else {
                    firstInRequest.insert(leaf.text)
                    continue
                }
                if let into = found[source].onlyInto, !Rule.matches(into, leaf.readablePath) { continue }
                requestTargets[position, default: []].append(Target(path: leaf.path, source: source))
                carried.insert(leaf.text)
                if !found[source].usedIn.contains(interaction.sequence) { found[source].usedIn.append(interaction.sequence) }
            }
            for leaf in Self.envelopeLeaves(interaction.response.body) {
                if leaf.text == Redactor.placeholder {
                    found.append(Source(position: position, sequence: interaction.sequence, operation: interaction.label,
                                        path: leaf.path, name: leaf.localName, recorded: leaf.text, secret: true))
                    latestSecret[leaf.localName] = found.count - 1
                    learned[position, default: []].append(found.count - 1)
                    continue
                }
                // A value this request carried, echoed (GetSale answering the SaleId it was asked for): checked against
                // the live value carried. Any other: the server assigned it here (again, if it had before: the
                // latest wins).
                if carried.contains(leaf.text), let source = latest[leaf.text] {
                    responseTargets[position, default: []].append(Target(path: leaf.path, source: source))
                    continue
                }
                let automatically = automatic
                    && Self.isIdentifierLike(leaf.text, type: leaf.declaredType, name: leaf.localName)
                let rule = rules.first { Rule.matches($0.from, leaf.readablePath) }
                guard (automatically || rule != nil) && !firstInRequest.contains(leaf.text) else { continue }
                var source = Source(position: position, sequence: interaction.sequence, operation: interaction.label,
                                    path: leaf.path, name: leaf.localName, recorded: leaf.text, secret: false)
                if !automatically { source.onlyInto = rule?.to }
                found.append(source)
                latest[leaf.text] = found.count - 1
                learned[position, default: []].append(found.count - 1)
            }
        }
        // Only values later requests use are correlations; the others are dropped, and the sources renumbered.
        var renumbered: [Int: Int] = [:]
        for (index, source) in found.enumerated() where !source.usedIn.isEmpty {
            renumbered[index] = sources.count
            sources.append(source)
        }
        func kept(_ targets: [Int: [Target]]) -> [Int: [Target]] {
            targets.compactMapValues { list in
                let mapped = list.compactMap { target in renumbered[target.source].map { Target(path: target.path, source: $0) } }
                return mapped.isEmpty ? nil : mapped
            }
        }
        self.requestTargets = kept(requestTargets)
        self.responseTargets = kept(responseTargets)
        self.learned = learned.compactMapValues { list in
            let mapped = list.compactMap { renumbered[$0] }
            return mapped.isEmpty ? nil : mapped
        }
    }

    /// True for a value that can be an identifier a server assigns: an integer of 1,000 or more (or, from 2 to
    /// 999, in an element named like an identifier — `SaleId`, `OrderKey`, `InvoiceNo` — since counts and pages
    /// are small numbers too); a GUID; a string of 8 or more characters with no space that holds a digit (a ticket,
    /// base64, a key). Never -1, 0 or 1, a boolean, a date or time, a decimal, an empty value, or a word (an
    /// enumeration value such as `StatusNone`).
    public static func isIdentifierLike(_ value: String, type: String? = nil, name: String? = nil) -> Bool {
        if let type, ["boolean", "date", "dateTime", "time", "duration", "double", "float", "decimal"].contains(type) {
            return false
        }
        guard !value.isEmpty, value.count <= 512 else { return false }
        if let number = Int64(value) {
            if (-1...1).contains(number) { return false }
            return number.magnitude >= 1000 || name.map(isIdentifierName) ?? false
        }
        if isGUID(value) { return true }
        guard value.count >= 8, !value.contains(where: { $0.isWhitespace }), value.contains(where: \.isNumber) else {
            return false
        }
        // A date or time (2026-12-04, 2026-12-04T10:00:00Z, 10:00:00) or a decimal number is not an identifier.
        if value.allSatisfy({ $0.isNumber || "-:.TZ+".contains($0) }) { return false }
        return true
    }

    /// `SaleId`, `ID`, `RecordKey`, `InvoiceNo`, `OrderNumber`: names identifiers go by.
    static func isIdentifierName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["id", "key", "no", "number", "nr"].contains { lower.hasSuffix($0) } || lower.hasSuffix("ids")
    }

    private static func isGUID(_ value: String) -> Bool {
        let hex = value.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        let groups = hex.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// The leaves of a SOAP envelope's Header and Body; none for a body that is not a well-formed envelope (a
    /// WSDL, plain text).
    static func envelopeLeaves(_ body: [UInt8]) -> [XMLLeaf] {
        guard ByteSearch.contains(body, Array("Envelope".utf8)),
            let document = try? XMLDocument(bytes: body, name: "message"), document.rootName?.localName == "Envelope",
            SoapVersion.allCases.contains(where: { $0.envelopeNamespace == document.rootName?.namespace })
        else { return [] }
        return XMLLeaves.scan(body)
    }
}
