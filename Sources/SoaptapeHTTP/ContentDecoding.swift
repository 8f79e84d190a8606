import CZlib

/// Decoding of `Content-Encoding: gzip` and `deflate` bodies, so that cassettes hold readable (and
/// redactable) text.
enum ContentDecoding {
    /// The encodings decoded.
    static let decodable: Set<String> = ["gzip", "x-gzip", "deflate"]

    /// The decoded body, or nil when it cannot be decoded (or would exceed `limit` bytes).
    static func decode(_ body: [UInt8], limit: Int = 256 << 20) -> [UInt8]? {
        // 15 + 32: zlib or gzip, detected from the header; -15: a raw deflate stream, as some servers send.
        inflate(body, windowBits: 15 + 32, limit: limit) ?? inflate(body, windowBits: -15, limit: limit)
    }

    private static func inflate(_ body: [UInt8], windowBits: Int32, limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = body
        let finished: Bool = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return false }
                if status == Z_STREAM_END { return true }
                if status != Z_OK || (produced == 0 && stream.avail_in == 0) { return false }
            }
        }
        return finished ? output : nil
    }
}
