import Foundation

/// Which requests `shadow` sends a second and a third time: by default only operations whose names say they read
/// (`GetFavourites`, `IsFavourite`, `FindPerson`…), since a candidate and a primary on one tenant share a database
/// and a write sent twice is done twice.
public struct ShadowPolicy: Sendable {
    /// The rule in force.
    public enum Rule: Sendable {
        /// Names starting with one of `readPrefixes` (followed by an upper-case letter, a digit or nothing).
        case readOnly
        /// Names the regular expression matches (anywhere, as `grep` would; anchor it with `^…$`).
        case matching(ShadowPattern)
        /// Everything: for disposable test tenants only.
        case all
    }

    /// The verbs of operations that read: `Get`, `Find`, `Search`, `Is`, `Has`, `Can`, `Exists`, `Count`, `List`,
    /// `Check`, `Validate`.
    public static let readPrefixes = ["Get", "Find", "Search", "Is", "Has", "Can", "Exists", "Count", "List", "Check",
                                      "Validate"]

    /// The rule in force.
    public var rule: Rule

    /// A policy with `rule`.
    public init(_ rule: Rule = .readOnly) {
        self.rule = rule
    }

    /// True when the operation named `name` (the payload element's local name, or the spec's operation name) is
    /// shadowed. A request with no operation (not SOAP) is shadowed only under `.all`.
    public func shadows(_ name: String?) -> Bool {
        switch rule {
        case .all:
            return true
        case .matching(let pattern):
            return name.map(pattern.matches) ?? false
        case .readOnly:
            guard let name else { return false }
            return Self.readPrefixes.contains { prefix in
                guard name.hasPrefix(prefix) else { return false }
                // `Get` reads, `Getaway` does not; `IsFavourite`, `Is2FA`, and `Get` alone do.
                guard let next = name.dropFirst(prefix.count).unicodeScalars.first else { return true }
                return CharacterSet.uppercaseLetters.contains(next) || CharacterSet.decimalDigits.contains(next)
                    || next == "_"
            }
        }
    }

    /// The rule in a few words, for reports: `read-only operations (Get…, Find…, …)`.
    public var summary: String {
        switch rule {
        case .readOnly: "operations whose names start " + Self.readPrefixes.joined(separator: ", ")
        case .matching(let pattern): "operations matching /\(pattern.source)/"
        case .all: "every request (--shadow-all)"
        }
    }
}

/// A regular expression over operation names, as `--shadow` gives it.
public final class ShadowPattern: Sendable {
    /// The expression as written.
    public let source: String
    private let expression: NSRegularExpressionBox

    /// Compiles `source`; throws a sentence naming it when it is not a regular expression.
    public init(_ source: String) throws {
        self.source = source
        do {
            expression = NSRegularExpressionBox(try NSRegularExpression(pattern: source))
        } catch {
            throw ShadowPatternError(source: source)
        }
    }

    /// True when the expression matches somewhere in `name`.
    public func matches(_ name: String) -> Bool {
        let range = NSRange(name.startIndex..., in: name)
        return expression.value.firstMatch(in: name, range: range) != nil
    }
}

/// `--shadow` was given something that is not a regular expression.
public struct ShadowPatternError: Error, CustomStringConvertible {
    /// The text given.
    public var source: String
    /// The sentence shown.
    public var description: String {
        "'\(source)' is not a regular expression; for example --shadow '^(Get|Find)' or --shadow '^ToggleFavourite$'"
    }
}

/// NSRegularExpression is immutable once made and safe to use from any thread.
private struct NSRegularExpressionBox: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}
