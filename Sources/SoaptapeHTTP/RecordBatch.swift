import Foundation
import NIOCore
import SoaptapeCore

/// The interactions one event loop completes in one turn, written to the cassette together at the end of the turn
/// (group commit): one `write(2)` and one take of the writer's lock for all of them, instead of one each. Their
/// answers wait for the write, so a client never has an answer whose interaction is not in the cassette yet.
final class RecordBatch: @unchecked Sendable {
    private let loop: EventLoop
    /// Touched only on `loop`.
    private var interactions: [Interaction] = []
    /// What to do once each of `interactions` is written (answer its client), in the same order.
    private var continuations: [@Sendable () -> Void] = []

    init(loop: EventLoop) { self.loop = loop }

    /// Adds `interaction` (on the batch's loop); `then` is called once it has been written, or has failed to be
    /// (the failure is reported on standard error: the client is answered all the same).
    func add(_ interaction: Interaction, writer: CassetteWriter, then: @escaping @Sendable () -> Void) {
        loop.preconditionInEventLoop()
        interactions.append(interaction)
        continuations.append(then)
        if interactions.count == 1 {
            // Tasks run once the loop has handled every ready socket: the end of this turn.
            loop.execute { self.write(to: writer) }
        }
    }

    private func write(to writer: CassetteWriter) {
        let written = interactions
        let waiting = continuations
        // The next turn's batch starts with room for as many as this one held.
        interactions = []
        interactions.reserveCapacity(written.count)
        continuations = []
        continuations.reserveCapacity(waiting.count)
        do {
            try writer.append(contentsOf: written)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
        }
        for then in waiting { then() }
    }
}

/// One `RecordBatch` per event loop.
final class RecordBatches: @unchecked Sendable {
    private var batches: [ObjectIdentifier: RecordBatch] = [:]
    private let lock = NSLock()

    /// The batch of `loop`.
    func batch(for loop: EventLoop) -> RecordBatch {
        lock.withLock {
            if let batch = batches[ObjectIdentifier(loop)] { return batch }
            let batch = RecordBatch(loop: loop)
            batches[ObjectIdentifier(loop)] = batch
            return batch
        }
    }
}
