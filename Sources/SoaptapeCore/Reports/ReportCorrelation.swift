import Foundation

/// A value `replay` carried from a live answer into later requests and expectations (docs/replay.md): the
/// recorded value, the live one, where it came from and where it went.
public struct ReportCorrelation: Codable, Sendable, Equatable {
    /// The element's local name (`SaleId`, `Ticket`).
    public var name: String
    /// The recorded value; `${redacted}` for a secret.
    public var recorded: String
    /// The live value; `${redacted}` for a secret; nil when the live answer had nothing at that path.
    public var live: String?
    /// The sequence number of the interaction whose answer gave it.
    public var sequence: Int
    /// That interaction's operation.
    public var operation: String
    /// Where the value stands in that answer.
    public var path: String
    /// The sequence numbers of the later interactions it was put into.
    public var usedIn: [Int]
    /// True for a secret (a ticket from a login): its values are never shown.
    public var secret: Bool

    /// Creates an entry.
    public init(name: String, recorded: String, live: String?, sequence: Int, operation: String, path: String,
                usedIn: [Int], secret: Bool) {
        self.name = name
        self.recorded = recorded
        self.live = live
        self.sequence = sequence
        self.operation = operation
        self.path = path
        self.usedIn = usedIn
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case name, recorded, live, sequence, operation, path, secret
        case usedIn = "used_in"
    }

    /// `SaleId 100 → 7000, from #2 SaveSaleEntity at /Envelope/Body/…/SaleId; used in #4, #6`.
    public var sentence: String {
        "\(name) \(recorded) → \(live ?? "(not in the live answer)"), from #\(sequence) \(operation) at \(path); "
            + "used in " + usedIn.map { "#\($0)" }.joined(separator: ", ")
    }
}
