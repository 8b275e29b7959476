import Foundation
import NablaCore
import NablaBackend

/// A pure-Swift decoder for raw DEFLATE streams (RFC 1951); `Gzip` wraps it for `.gz` files.
///
/// ```swift
/// let bytes = try Inflate.decompress(deflated, name: "blob.deflate", maxOutputBytes: 1 << 20)
/// ```
public enum Inflate {
    /// Decodes one raw DEFLATE stream that fills `data` exactly.
    ///
    /// - Parameters:
    ///   - name: the file name used in error messages.
    ///   - maxOutputBytes: the most bytes the output may hold; exceeding it throws instead of
    ///     allocating, which defuses decompression bombs.
    /// - Throws: `FormatError` for a corrupt, truncated or oversized stream.
    public static func decompress(_ data: Data, name: String = "<deflate>", maxOutputBytes: Int) throws -> [UInt8] {
        try data.withUnsafeBytes { raw in
            let input = raw.bindMemory(to: UInt8.self)
            var inflater = Inflater(input: input, name: name, limit: maxOutputBytes, capacityHint: input.count * 4)
            defer { inflater.output.deallocate() }
            let end = try inflater.inflate(from: 0)
            guard end == input.count else {
                throw FormatError(file: name, at: .byte(end), "\(input.count - end) bytes after the end of the DEFLATE stream")
            }
            return inflater.output.array(from: 0)
        }
    }
}

/// Canonical Huffman decoding tables: a direct lookup on the next `fastBits` bits, and the
/// count/symbol lists that decode longer (rare) codes one bit at a time.
/// Unchecked Sendable: only the fixed tables are shared, and they are never rebuilt after creation.
package final class HuffmanTable: @unchecked Sendable {
    static let fastBits = 10
    static let fastMask: UInt64 = (1 << UInt64(fastBits)) - 1
    /// `symbol << 4 | length` for codes of at most `fastBits` bits; 0 where the slow path decides.
    let fast = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << fastBits)
    /// The number of codes of each length 0...15.
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: 16)
    /// Symbols ordered by code length, then by symbol value (canonical order).
    let symbols = UnsafeMutablePointer<UInt16>.allocate(capacity: 288)

    deinit {
        fast.deallocate()
        counts.deallocate()
        symbols.deallocate()
    }

    /// Builds the code from per-symbol bit lengths. Returns 0 for a complete code, a positive
    /// number for an incomplete one and a negative number for an over-subscribed one.
    func build(_ lengths: UnsafeBufferPointer<UInt8>) -> Int {
        fast.initialize(repeating: 0, count: 1 << Self.fastBits)
        counts.initialize(repeating: 0, count: 16)
        for length in lengths { counts[Int(length)] += 1 }
        if counts[0] == lengths.count { return 0 }
        var left = 1
        for length in 1..<16 {
            left = (left << 1) - counts[length]
            if left < 0 { return left }
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { offsets in
            offsets[1] = 0
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for symbol in lengths.indices where lengths[symbol] != 0 {
                let length = Int(lengths[symbol])
                symbols[offsets[length]] = UInt16(symbol)
                offsets[length] += 1
            }
        }
        fillFastTable()
        return left
    }

    func build(_ lengths: [UInt8]) -> Int {
        lengths.withUnsafeBufferPointer { build($0) }
    }

    /// Walks the symbols in canonical order, keeping each code bit-reversed because codes are
    /// sent most-significant bit first but the bit buffer is read from bit 0.
    private func fillFastTable() {
        var reversed = 0
        var index = 0
        for length in 1...Self.fastBits {
            for _ in 0..<counts[length] {
                let entry = UInt16(Int(symbols[index]) << 4 | length)
                index += 1
                for slot in stride(from: reversed, to: 1 << Self.fastBits, by: 1 << length) { fast[slot] = entry }
                // Add 1 to the code: in reversed form the carry runs from bit length-1 downward.
                var increment = 1 << (length - 1)
                while reversed & increment != 0 { increment >>= 1 }
                reversed = increment == 0 ? 0 : (reversed & (increment - 1)) + increment
            }
        }
    }
}

/// A growable output buffer that refuses to grow past `limit`.
package struct InflateOutput {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int
    let limit: Int
    /// Set when a write was refused for passing `limit`.
    var reachedLimit = false

    init(capacityHint: Int, limit: Int) {
        self.limit = max(limit, 0)
        capacity = max(1, min(capacityHint, self.limit))
        base = .allocate(capacity: capacity)
    }

    /// Makes room for `extra` more bytes; false if that would pass the limit.
    mutating func reserve(_ extra: Int) -> Bool {
        let needed = count + extra
        if needed <= capacity { return true }
        guard needed <= limit else {
            reachedLimit = true
            return false
        }
        let newCapacity = min(max(needed, capacity * 2, 1 << 16), limit)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
        return true
    }

    func array(from start: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: base + start, count: count - start))
    }

    func deallocate() { base.deallocate() }
}

/// DEFLATE decoder state: the input bit buffer, the output and the current Huffman tables.
package struct Inflater {
    private let input: UnsafePointer<UInt8>
    private let end: Int
    private var position = 0
    private var bits: UInt64 = 0
    private var bitCount = 0
    private let name: String
    var output: InflateOutput
    private let literals = HuffmanTable()
    private let distances = HuffmanTable()

    init(input: UnsafeBufferPointer<UInt8>, name: String, limit: Int, capacityHint: Int) {
        // An empty buffer may have no base address; any valid pointer will do since `end` is 0.
        self.input = input.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = input.count
        self.name = name
        output = InflateOutput(capacityHint: capacityHint, limit: limit)
    }

    /// The fixed codes of RFC 1951 section 3.2.6, built once and never rebuilt, hence shareable.
    private static let fixedCodes: (literals: HuffmanTable, distances: HuffmanTable) = {
        let tables = (literals: HuffmanTable(), distances: HuffmanTable())
        _ = tables.literals.build([UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
            + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8))
        _ = tables.distances.build([UInt8](repeating: 5, count: 30))
        return tables
    }()

    /// The offset of the first input byte not yet fully consumed.
    var bytePosition: Int { position - bitCount / 8 }

    /// Decodes blocks from byte `start` through the final block; returns the byte offset after it.
    mutating func inflate(from start: Int) throws -> Int {
        position = start
        bits = 0
        bitCount = 0
        var isFinal = false
        repeat {
            let header = try take(3)
            isFinal = header & 1 == 1
            switch header >> 1 {
            case 0: try copyStoredBlock()
            case 1: try decodeBlock(literals: Self.fixedCodes.literals, distances: Self.fixedCodes.distances)
            case 2:
                try readDynamicTables()
                try decodeBlock(literals: literals, distances: distances)
            default: throw error("invalid DEFLATE block type 3", hint: "the compressed data is corrupt")
            }
        } while !isFinal
        dropToByteBoundary()
        return position
    }

    // MARK: bits

    @inline(__always) private mutating func refill() {
        if position + 8 <= end {
            // Bytes past `bitCount` land exactly where later refills would put them, so OR is safe.
            let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
            bits |= word &<< UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 && position < end {
                bits |= UInt64(input[position]) &<< UInt64(bitCount)
                position += 1
                bitCount += 8
            }
        }
    }

    @inline(__always) private mutating func take(_ count: Int) throws -> Int {
        if bitCount < count {
            refill()
            if bitCount < count { throw truncated() }
        }
        let value = Int(truncatingIfNeeded: bits & ((1 &<< UInt64(count)) &- 1))
        bits &>>= UInt64(count)
        bitCount -= count
        return value
    }

    @inline(__always) private mutating func decode(_ table: HuffmanTable) throws -> Int {
        if bitCount < 15 { refill() }
        let entry = Int(table.fast[Int(truncatingIfNeeded: bits & HuffmanTable.fastMask)])
        let length = entry & 15
        if length != 0 && length <= bitCount {
            bits &>>= UInt64(length)
            bitCount -= length
            return entry >> 4
        }
        return try decodeSlowly(table)
    }

    /// Canonical decoding one bit at a time, for codes longer than the fast table covers.
    private mutating func decodeSlowly(_ table: HuffmanTable) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            guard length <= bitCount else { throw truncated() }
            code |= Int(truncatingIfNeeded: (bits >> UInt64(length - 1)) & 1)
            let count = table.counts[length]
            if code - count < first {
                bits >>= UInt64(length)
                bitCount -= length
                return Int(table.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw error("invalid Huffman code", hint: "the compressed data is corrupt")
    }

    private mutating func dropToByteBoundary() {
        position = bytePosition
        bits = 0
        bitCount = 0
    }

    // MARK: blocks

    private mutating func copyStoredBlock() throws {
        dropToByteBoundary()
        guard end - position >= 4 else { throw truncated() }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else {
            throw error("stored block length \(length) does not match its complement", hint: "the compressed data is corrupt")
        }
        position += 4
        guard end - position >= length else { throw truncated() }
        guard output.reserve(length) else { throw outputLimit() }
        (output.base + output.count).initialize(from: input + position, count: length)
        output.count += length
        position += length
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                             3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                              513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                               8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// The hot loop: literals are stored, length/distance pairs copy earlier output.
    private mutating func decodeBlock(literals: HuffmanTable, distances: HuffmanTable) throws {
        let (lengthBase, lengthExtra) = (Self.lengthBase, Self.lengthExtra)
        let (distanceBase, distanceExtra) = (Self.distanceBase, Self.distanceExtra)
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                if output.count == output.capacity, !output.reserve(1) { throw outputLimit() }
                output.base[output.count] = UInt8(truncatingIfNeeded: symbol)
                output.count += 1
                continue
            }
            if symbol == 256 { return }
            guard symbol < 286 else { throw error("invalid length symbol \(symbol)", hint: "the compressed data is corrupt") }
            let length = try lengthBase[symbol - 257] + take(lengthExtra[symbol - 257])
            let code = try decode(distances)
            guard code < 30 else { throw error("invalid distance symbol \(code)", hint: "the compressed data is corrupt") }
            let distance = try distanceBase[code] + take(distanceExtra[code])
            try copyMatch(distance: distance, length: length)
        }
    }

    @inline(__always) private mutating func copyMatch(distance: Int, length: Int) throws {
        guard distance <= output.count else {
            throw error("back-reference \(distance) bytes before the start of the output", hint: "the compressed data is corrupt")
        }
        guard output.reserve(length) else { throw outputLimit() }
        let destination = output.base + output.count
        let source = destination - distance
        if distance >= length {
            destination.update(from: source, count: length)
        } else {
            // Overlapping copy repeats the last `distance` bytes, so it must go byte by byte.
            for index in 0..<length { destination[index] = source[index] }
        }
        output.count += length
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func readDynamicTables() throws {
        let literalCount = try take(5) + 257
        let distanceCount = try take(5) + 1
        let codeLengthCount = try take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw error("dynamic block declares \(literalCount) literal and \(distanceCount) distance codes (at most 286 and 30)",
                        hint: "the compressed data is corrupt")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[index]] = try UInt8(take(3)) }
        let codeLengths = HuffmanTable()
        guard codeLengths.build(codeLengthLengths) == 0 else {
            throw error("incomplete or over-subscribed code-length code", hint: "the compressed data is corrupt")
        }
        let lengths = try readCodeLengths(count: literalCount + distanceCount, using: codeLengths)
        guard lengths[256] != 0 else { throw error("dynamic block has no end-of-block code", hint: "the compressed data is corrupt") }
        try lengths.withUnsafeBufferPointer { all in
            try install(UnsafeBufferPointer(rebasing: all[..<literalCount]), in: literals, kind: "literal/length")
            try install(UnsafeBufferPointer(rebasing: all[literalCount...]), in: distances, kind: "distance")
        }
    }

    private mutating func readCodeLengths(count: Int, using table: HuffmanTable) throws -> [UInt8] {
        var lengths = [UInt8]()
        lengths.reserveCapacity(count)
        while lengths.count < count {
            let symbol = try decode(table)
            var value: UInt8 = 0
            var repeats = 1
            switch symbol {
            case 0..<16: value = UInt8(symbol)
            case 16:
                guard let previous = lengths.last else {
                    throw error("code-length repeat with no previous length", hint: "the compressed data is corrupt")
                }
                value = previous
                repeats = try 3 + take(2)
            case 17: repeats = try 3 + take(3)
            default: repeats = try 11 + take(7)
            }
            guard lengths.count + repeats <= count else {
                throw error("code lengths overflow the \(count) declared codes", hint: "the compressed data is corrupt")
            }
            lengths.append(contentsOf: repeatElement(value, count: repeats))
        }
        return lengths
    }

    /// Builds `table`, allowing an incomplete code only in the one case RFC 1951 permits: a single code of length 1.
    private func install(_ lengths: UnsafeBufferPointer<UInt8>, in table: HuffmanTable, kind: String) throws {
        let left = table.build(lengths)
        let used = lengths.count - table.counts[0]
        guard left == 0 || (left > 0 && used == table.counts[1]) else {
            let what = left < 0 ? "over-subscribed" : "incomplete"
            throw error("\(what) \(kind) Huffman code", hint: "the compressed data is corrupt")
        }
    }

    // MARK: errors

    private func error(_ problem: String, hint: String? = nil) -> FormatError {
        FormatError(file: name, at: .byte(bytePosition), problem, hint: hint)
    }

    private func truncated() -> FormatError {
        FormatError(file: name, at: .byte(end), "compressed data ends unexpectedly",
                    hint: "the file is truncated; download or copy it again")
    }

    private func outputLimit() -> FormatError {
        error("decompressed data exceeds the limit of \(output.limit) bytes",
              hint: "raise maxOutputBytes if the file is genuine; otherwise it may be a decompression bomb")
    }
}
