/// Interactions waiting to be appended to a cassette together, their text already made: a recorder encodes each
/// interaction as it completes, outside the writer's lock, and hands the batch to `CassetteWriter.append(_:)`.
/// `removeAll()` keeps the buffers, so a recorder that reuses one batch allocates nothing per interaction for it.
public struct InteractionBatch: Sendable {
    /// The interactions' texts, one after another (without the marker and sequence lines the writer adds).
    var text: [UInt8] = []
    /// Where each interaction's text lies in `text`, in order.
    var ranges: [Range<Int>] = []
    /// Each interaction's operation label, for the writer's summary.
    var labels: [String] = []

    /// An empty batch.
    public init() {}

    /// How many interactions the batch holds.
    public var count: Int { ranges.count }

    /// True when the batch holds none.
    public var isEmpty: Bool { ranges.isEmpty }

    /// Adds `interaction` (its sequence number is given when it is written).
    public mutating func add(_ interaction: Interaction) {
        let start = text.count
        CassetteCoding.appendInteractionBody(interaction, to: &text)
        ranges.append(start..<text.count)
        labels.append(interaction.label)
    }

    /// Empties the batch, keeping its buffers.
    public mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        if text.capacity > 1 << 20 { text = [] }  // a very large batch does not keep its memory
    }
}
