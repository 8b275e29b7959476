import Foundation
import NablaCore
import NablaBackend

/// The gzip container (RFC 1952) around DEFLATE data: header flags, CRC-32 and length checks,
/// and concatenated members.
///
/// ```swift
/// let raw = try Gzip.decompress(Data(contentsOf: url), name: url.lastPathComponent)
/// ```
public enum Gzip {
    /// The default output cap: 4 GiB, far above any dataset file this library reads.
    public static let defaultMaxOutputBytes = 1 << 32

    /// Whether `data` starts with the gzip magic bytes 0x1f 0x8b.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Decompresses every member of a gzip file, verifying each member's CRC-32 and length.
    ///
    /// - Parameters:
    ///   - name: the file name used in error messages.
    ///   - maxOutputBytes: the most bytes the output may hold, across all members.
    /// - Throws: `FormatError` naming the byte offset of the problem.
    public static func decompress(_ data: Data, name: String = "<gzip>",
                                  maxOutputBytes: Int = defaultMaxOutputBytes) throws -> [UInt8] {
        try data.withUnsafeBytes { raw in
            let input = raw.bindMemory(to: UInt8.self)
            var inflater = Inflater(input: input, name: name, limit: maxOutputBytes,
                                    capacityHint: sizeHint(input))
            defer { inflater.output.deallocate() }
            let reader = MemberReader(input: input, name: name)
            var start = 0
            repeat {
                start = try reader.member(at: start, inflater: &inflater)
            } while try reader.hasAnotherMember(at: start)
            return inflater.output.array(from: 0)
        }
    }

    /// The first `count` bytes of the decompressed data (fewer if it is shorter), decoding no more
    /// than that and a block's worth beyond: for reading a header before deciding how much output
    /// the rest may produce. Nothing past the prefix is checked.
    ///
    /// ```swift
    /// let header = try Gzip.prefix(data, name: "images.gz", count: 16)
    /// ```
    public static func prefix(_ data: Data, name: String = "<gzip>", count: Int) throws -> [UInt8] {
        try data.withUnsafeBytes { raw in
            let input = raw.bindMemory(to: UInt8.self)
            // A stored block adds at most 65,535 bytes at once, so stopping there leaves ≥ count bytes.
            var inflater = Inflater(input: input, name: name, limit: count + (1 << 16), capacityHint: count)
            defer { inflater.output.deallocate() }
            do {
                _ = try MemberReader(input: input, name: name).member(at: 0, inflater: &inflater)
            } catch where inflater.output.reachedLimit {
            } catch where inflater.output.count >= count {
                // Damage after the prefix (a bad CRC, a truncated tail) is for the full read to report.
            }
            return Array(inflater.output.array(from: 0).prefix(count))
        }
    }

    /// Wraps `bytes` in a gzip file made of stored (uncompressed) DEFLATE blocks; any gzip tool reads it.
    public static func storedGzip(_ bytes: [UInt8]) -> Data {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var start = 0
        repeat {
            let length = min(65_535, bytes.count - start)
            let isFinal: UInt8 = start + length == bytes.count ? 1 : 0
            out += [isFinal, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += bytes[start..<start + length]
            start += length
        } while start < bytes.count
        out += littleEndianBytes(CRC32.checksum(bytes))
        out += littleEndianBytes(UInt32(truncatingIfNeeded: bytes.count))
        return Data(out)
    }

    private static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// The last member's ISIZE, bounded: it may lie, so it only sizes the first allocation.
    private static func sizeHint(_ input: UnsafeBufferPointer<UInt8>) -> Int {
        guard input.count >= 18 else { return 1 << 12 }
        let tail = input.count - 4
        let isize = (0..<4).reduce(0) { $0 | Int(input[tail + $1]) << ($1 * 8) }
        return min(max(isize, 1 << 12), input.count * 1032)  // DEFLATE expands at most 1032:1
    }
}

/// Parses one gzip member header and trailer around the DEFLATE data.
private struct MemberReader {
    let input: UnsafeBufferPointer<UInt8>
    let name: String

    private enum Flag {
        static let text: UInt8 = 1, headerCRC: UInt8 = 2, extra: UInt8 = 4, name: UInt8 = 8, comment: UInt8 = 16
    }

    /// Decodes the member at `start` into `inflater.output`; returns the offset after its trailer.
    func member(at start: Int, inflater: inout Inflater) throws -> Int {
        let dataStart = try parseHeader(at: start)
        let outputStart = inflater.output.count
        let dataEnd = try inflater.inflate(from: dataStart)
        try require(8, at: dataEnd, what: "the CRC-32 and length trailer")
        let produced = UnsafeBufferPointer(start: inflater.output.base + outputStart, count: inflater.output.count - outputStart)
        let crc = CRC32.checksum(produced)
        let storedCRC = uint32(at: dataEnd)
        guard crc == storedCRC else {
            throw error(at: dataEnd, "CRC-32 mismatch: stored \(hex(storedCRC)), computed \(hex(crc))",
                        hint: "the file is corrupt; download or copy it again")
        }
        let storedSize = uint32(at: dataEnd + 4)
        guard storedSize == UInt32(truncatingIfNeeded: produced.count) else {
            throw error(at: dataEnd + 4, "length mismatch: trailer says \(storedSize) bytes, decoded \(produced.count)",
                        hint: "the file is corrupt; download or copy it again")
        }
        return dataEnd + 8
    }

    /// Another member follows if more bytes start with the magic; all-zero padding is ignored, as gzip(1) does.
    func hasAnotherMember(at offset: Int) throws -> Bool {
        guard offset < input.count else { return false }
        if input[offset...].allSatisfy({ $0 == 0 }) { return false }
        guard input.count - offset >= 2, input[offset] == 0x1F, input[offset + 1] == 0x8B else {
            throw error(at: offset, "\(input.count - offset) bytes of trailing garbage after the gzip data",
                        hint: "the file may be corrupt or have been appended to")
        }
        return true
    }

    private func parseHeader(at start: Int) throws -> Int {
        try require(10, at: start, what: "the 10-byte gzip header")
        guard input[start] == 0x1F, input[start + 1] == 0x8B else {
            throw error(at: start, "bad gzip magic number 0x\(hex2(input[start]))\(hex2(input[start + 1])) (expected 0x1f8b)",
                        hint: "is this a gzip file?")
        }
        guard input[start + 2] == 8 else {
            throw error(at: start + 2, "compression method \(input[start + 2]) is not DEFLATE (8)", hint: "is this a gzip file?")
        }
        let flags = input[start + 3]
        guard flags & 0xE0 == 0 else {
            throw error(at: start + 3, "reserved gzip flag bits set (flags 0x\(hex2(flags)))", hint: "the file is corrupt")
        }
        var offset = start + 10
        if flags & Flag.extra != 0 {
            try require(2, at: offset, what: "the FEXTRA length")
            let length = Int(input[offset]) | Int(input[offset + 1]) << 8
            try require(2 + length, at: offset, what: "the \(length)-byte FEXTRA field")
            offset += 2 + length
        }
        if flags & Flag.name != 0 { offset = try skipZeroTerminated(at: offset, what: "file name") }
        if flags & Flag.comment != 0 { offset = try skipZeroTerminated(at: offset, what: "comment") }
        if flags & Flag.headerCRC != 0 { offset = try checkHeaderCRC(start: start, at: offset) }
        return offset
    }

    private func skipZeroTerminated(at offset: Int, what: String) throws -> Int {
        guard let zero = input[offset...].firstIndex(of: 0) else {
            throw error(at: input.count, "gzip header ends inside the \(what)", hint: "the file is truncated")
        }
        return zero + 1
    }

    private func checkHeaderCRC(start: Int, at offset: Int) throws -> Int {
        try require(2, at: offset, what: "the header CRC")
        let stored = UInt16(input[offset]) | UInt16(input[offset + 1]) << 8
        let header = UnsafeBufferPointer(rebasing: input[start..<offset])
        let computed = UInt16(truncatingIfNeeded: CRC32.checksum(header))
        guard stored == computed else {
            throw error(at: offset, "header CRC mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))",
                        hint: "the file is corrupt")
        }
        return offset + 2
    }

    private func require(_ count: Int, at offset: Int, what: String) throws {
        guard input.count - offset >= count else {
            throw error(at: input.count, "file ends before \(what)", hint: "the file is truncated; download or copy it again")
        }
    }

    private func uint32(at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(input[offset + $1]) << ($1 * 8) }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    private func hex2(_ byte: UInt8) -> String {
        byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
    }

    private func error(at offset: Int, _ problem: String, hint: String? = nil) -> FormatError {
        FormatError(file: name, at: .byte(offset), problem, hint: hint)
    }
}
