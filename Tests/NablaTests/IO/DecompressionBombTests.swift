import Foundation
import Testing
@testable import NablaLibrary
import Nabla

/// A gzip member of fixed-Huffman DEFLATE: `prefix` as literals, then `zeros` zero bytes as
/// back-references (258 bytes each, distance 1): about 1:1000 compression, as a bomb has.
enum GzipBomb {
    static func make(prefix: [UInt8], zeros: Int) -> Data {
        var writer = BitWriter()
        writer.write(1, count: 1)   // final block
        writer.write(1, count: 2)   // fixed Huffman codes
        for byte in prefix + [0] { writer.literal(byte) }
        var left = zeros - 1
        while left >= 258 {
            writer.huffman(0b1100_0101, length: 8)   // length symbol 285: 258 bytes
            writer.huffman(0, length: 5)             // distance code 0: 1 byte back
            left -= 258
        }
        for _ in 0..<left { writer.literal(0) }
        writer.huffman(0, length: 7)                 // end of block (symbol 256)
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        return Data(header + writer.bytes + [0, 0, 0, 0, 0, 0, 0, 0])   // CRC and size are never reached
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        private var used = 0

        /// `count` bits of `value`, least significant first (DEFLATE's header fields).
        mutating func write(_ value: Int, count: Int) {
            for i in 0..<count { push((value >> i) & 1) }
        }

        /// A Huffman code, most significant bit first.
        mutating func huffman(_ code: Int, length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) { push((code >> i) & 1) }
        }

        /// Literals 0–143 have the 8-bit codes 0x30 + value; 144–255 the 9-bit codes 0x190 + value − 144.
        mutating func literal(_ byte: UInt8) {
            if byte < 144 { huffman(0x30 + Int(byte), length: 8) } else { huffman(0x190 + Int(byte) - 144, length: 9) }
        }

        private mutating func push(_ bit: Int) {
            if used == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(bit << used)
            used = (used + 1) % 8
        }
    }
}

@Suite struct DecompressionBombTests {
    @Test func theBombEncoderWritesValidDeflate() throws {
        // A small one inflates to what it says (its trailer is zeros, so only the CRC check fails).
        let small = GzipBomb.make(prefix: [1, 2, 3], zeros: 1000)
        var caught: FormatError?
        do { _ = try Gzip.decompress(small) } catch let error as FormatError { caught = error }
        #expect(caught.map { String(describing: $0) }?.contains("CRC-32 mismatch") == true)
    }

    @Test func anIDXBombStopsAtTheSizeItsHeaderPromises() throws {
        // Shape [2] of unsigned bytes: 10 bytes in all, then 16 MiB of zeros the header never promised.
        let bomb = GzipBomb.make(prefix: [0, 0, 0x08, 1, 0, 0, 0, 2], zeros: 16 << 20)
        let start = Date()
        var message = ""
        do { _ = try IDX.read(data: bomb, name: "bomb-idx1-ubyte.gz") } catch { message = String(describing: error) }
        #expect(message.contains("promises 2 bytes"), "\(message)")
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func prefixStopsEarly() throws {
        let bomb = GzipBomb.make(prefix: [7, 8, 9], zeros: 16 << 20)
        let head = try Gzip.prefix(bomb, name: "bomb.gz", count: 5)
        #expect(head == [7, 8, 9, 0, 0])
    }
}
