import Foundation
import NIOCore
import SoaptapeCore

/// The interactions one event loop completes in one turn, written to the cassette together at the end of the turn
/// (group commit): one `write(2)` and one take of the writer's lock for all of them, instead of one each. Their
/// answers wait for the write, so a client never has an answer whose interaction is not in the cassette yet.
final class RecordBatch: @unchecked Sendable {
    private let loop: EventLoop
    /// Touched only on `loop`.
    private var batch = InteractionBatch()
    /// What to do once each interaction of `batch` is written (answer its client), in the same order.
    private var continuations: [@Sendable () -> Void] = []
    /// The interactions of `batch`, kept only for an observer.
    private var observed: [Interaction] = []
    private var observer: (@Sendable ([Interaction]) -> Void)?

    init(loop: EventLoop) { self.loop = loop }

    /// Adds `interaction` (on the batch's loop); `then` is called once it has been written, or has failed to be
    /// (the failure is reported on standard error: the client is answered all the same).
    func add(_ interaction: Interaction, writer: CassetteWriter, observer: (@Sendable ([Interaction]) -> Void)? = nil,
             then: @escaping @Sendable () -> Void) {
        loop.preconditionInEventLoop()
        batch.add(interaction)
        if let observer {
            self.observer = observer
            observed.append(interaction)
        }
        continuations.append(then)
        if batch.count == 1 {
            // Tasks run once the loop has handled every ready socket: the end of this turn.
            loop.execute { self.write(to: writer) }
        }
    }

    private func write(to writer: CassetteWriter) {
        let waiting = continuations
        var written = observed
        do {
            let numbers = try writer.append(batch)
            for (index, number) in numbers.enumerated() where index < written.count { written[index].sequence = number }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            written = []
        }
        batch.removeAll()
        continuations.removeAll(keepingCapacity: true)
        observed.removeAll(keepingCapacity: true)
        for then in waiting { then() }
        if !written.isEmpty { observer?(written) }
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
