import Foundation

/// The one writer of a cassette file: appends each interaction as it completes, durably and whole.
///
/// Every interaction is written with a single `write(2)` on a file opened for appending, so a recorder killed
/// at any moment leaves every completed interaction on disk and at most one torn interaction at the end,
/// which the loader drops (and which this writer cuts off before appending again). Writing one interaction
/// costs the same whatever the cassette's size.
public final class CassetteWriter: @unchecked Sendable {
    /// The cassette file.
    public let path: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var nextSequence: Int
    /// The file's length after the last complete interaction (this writer is its only writer): where a failed
    /// write is cut back to, known without a system call per interaction.
    private var length: off_t = 0
    private var recorded: [String: Int] = [:]
    /// The text of the batch being written (its capacity kept between writes).
    private var text: [UInt8] = []
    private var order: [String] = []

    /// Opens `path` for appending; creates it with `header` when it does not exist, and continues the
    /// sequence of (and cuts any torn tail from) an existing cassette.
    public init(path: String, header: CassetteHeader) throws {
        self.path = path
        var next = 1
        var truncateTo: Int?
        if FileManager.default.fileExists(atPath: path) {
            let (cassette, complete) = try CassetteLoader.load(path)
            next = (cassette.interactions.last?.sequence ?? 0) + 1
            if cassette.droppedTornTail > 0 { truncateTo = complete }
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
                var failure = CassetteWriteError(path: path, reason: "\(directory) is a file, not a folder")
                failure.opening = true
                throw failure
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                var failure = CassetteWriteError(path: path, reason: "its folder \(directory) cannot be created: "
                                                 + ((error as NSError).localizedFailureReason ?? error.localizedDescription))
                failure.opening = true
                throw failure
            }
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            var failure = CassetteWriteError(path: path, reason: String(cString: strerror(errno)))
            failure.opening = true
            throw failure
        }
        self.descriptor = descriptor
        self.nextSequence = next
        if let truncateTo { ftruncate(descriptor, off_t(truncateTo)) }
        if next == 1, lseek(descriptor, 0, SEEK_END) == 0 {
            try write(CassetteCoding.headerText(header))
        }
        length = lseek(descriptor, 0, SEEK_END)
    }

    deinit { close(descriptor) }

    /// Appends `interaction`, numbered with the next sequence number; returns it as written. The text is made
    /// before the lock is taken: only numbering and the write are serialised.
    @discardableResult
    public func append(_ interaction: Interaction) throws -> Interaction {
        var written = interaction
        written.sequence = try append(contentsOf: [interaction]).lowerBound
        return written
    }

    /// Appends `interactions` in order with one `write(2)`, numbered with the next sequence numbers; returns the
    /// numbers given. When the write fails none of them is kept, and the cassette stays whole.
    @discardableResult
    public func append(contentsOf interactions: [Interaction]) throws -> Range<Int> {
        var batch = InteractionBatch()
        for interaction in interactions { batch.add(interaction) }
        return try append(batch)
    }

    /// Appends the interactions of `batch` in order with one `write(2)`, numbered with the next sequence numbers;
    /// returns the numbers given. A recorder that completes several interactions at once (one turn of an event loop)
    /// writes them together: the cost of a system call, and of the file's lock, is shared; their text was made
    /// before, outside the lock. When the write fails none of them is kept, and the cassette stays whole.
    @discardableResult
    public func append(_ batch: InteractionBatch) throws -> Range<Int> {
        guard !batch.isEmpty else { return lock.withLock { nextSequence..<nextSequence } }
        return try lock.withLock {
            // The buffer is kept between writes: a batch's text is not allocated (and its pages touched) anew.
            text.removeAll(keepingCapacity: true)
            text.reserveCapacity(batch.text.count + 80 * batch.count)
            batch.text.withUnsafeBufferPointer { encoded in
                for (index, range) in batch.ranges.enumerated() {
                    let number = String(nextSequence + index).utf8
                    text.append(contentsOf: CassetteCoding.interactionMarker.utf8)
                    text.append(contentsOf: number)
                    text.append(static: "\nsequence: ")
                    text.append(contentsOf: number)
                    text.append(0x0A)
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: encoded[range]))
                    text.append(contentsOf: CassetteCoding.endMarker.utf8)
                    text.append(contentsOf: number)
                    text.append(0x0A)
                }
            }
            // A write that fails part-way (disk full, a file-size limit) is cut off again, so the cassette stays
            // whole and a later interaction can still be appended after the last complete one.
            do {
                try write(text)
            } catch var failure as CassetteWriteError {
                if length >= 0 { ftruncate(descriptor, length) }
                failure.interactions = batch.count
                throw failure
            }
            length += off_t(text.count)
            if text.capacity > 1 << 20 { text = [] }  // a very large batch does not keep its memory
            let numbers = nextSequence..<(nextSequence + batch.count)
            nextSequence += batch.count
            for label in batch.labels {
                if recorded[label] == nil { order.append(label) }
                recorded[label, default: 0] += 1
            }
            return numbers
        }
    }

    /// Interactions recorded by this writer, per operation, in first-recorded order.
    public var summary: [(operation: String, count: Int)] {
        lock.withLock { order.map { ($0, recorded[$0]!) } }
    }

    private func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    private func write(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw CassetteWriteError(path: path, reason: String(cString: strerror(errno)))
            }
            written += result
        }
    }
}

/// A cassette that cannot be written.
public struct CassetteWriteError: Error, CustomStringConvertible {
    /// The cassette file.
    public var path: String
    /// The system's reason.
    public var reason: String
    /// `PATH: error: cannot write the cassette (reason)`.
    public var description: String {
        if opening { return "\(path): error: cannot write the cassette (\(reason)); pick another --cassette" }
        let lost = interactions == 1 ? "this interaction was not recorded, the cassette is left whole, and the client "
            + "was answered" : "these \(interactions) interactions were not recorded, the cassette is left whole, and "
            + "their clients were answered"
        return "\(path): error: cannot write the cassette (\(reason)); \(lost); free some space or pick another "
            + "--cassette"
    }
    /// True when the cassette could not be opened at all (nothing was recording yet).
    public var opening = false
    /// How many interactions the failed write held.
    public var interactions = 1
}
