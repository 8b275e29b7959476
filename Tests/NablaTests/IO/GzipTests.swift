import Foundation
import Testing
import Nabla

/// Fixtures made with Python's gzip and zlib modules (base64 of the file bytes).
enum GzipFixtures {
    /// The text every text fixture decompresses to.
    static let payload = (0..<40).map { "line \($0): the quick brown fox jumps over the lazy dog \($0 * $0 % 97)\n" }.joined()
    /// `gzip.compress(payload, mtime=0)`: one dynamic-Huffman block.
    static let dynamic = Data(fixture: "H4sIAAAAAAACA5XVWVLDMBBF0f+sQkuIui1ZYjcMBgImhoQwrZ4CvV7A/Xbd0nQkr4fjkvZX6f1xSW+Xw+1zujltn8d0v32lp8vL6zltH8vp//N6/fOd7raHtN+tf1VmVR6VsWoalbOqj2qCM6wjKyyzMrLKMtdoM9wQra2xrGojO8uaTi1DIq4MGjHNMlMlszroZDZ1UEpkUIrHbkIqNcaDVrpkZojF4/igllkvg0EtWeszyKVonga5dF09g1wm8TTIpcfbB71MsT7opcc8oZcS5we9NGWQSxVPh1xMt90hl6Z5OuRS4icEuZhYO+TS9MQ75FLFzOmfKM4BcskxHuWi6+fUS939AhQAEkqvCAAA")
    /// The same data behind a hand-built header with FTEXT, FHCRC, FEXTRA, FNAME and FCOMMENT.
    static let allFlags = Data(fixture: "H4sIHwAAAAACAwYAQUICAGhpZGF0YS50eHQAbWFkZSBieSBoYW5kAB/fldVZUsMwEEXR/6xCS4i6LVliNwwGAiaGhDCtngK9XsD9dt3SdCSvh+OS9lfp/XFJb5fD7XO6OW2fx3S/faWny8vrOW0fy+n/83r9853utoe0361/VWZVHpWxahqVs6qPaoIzrCMrLLMyssoy12gz3BCtrbGsaiM7y5pOLUMirgwaMc0yUyWzOuhkNnVQSmRQisduQio1xoNWumRmiMXj+KCWWS+DQS1Z6zPIpWieBrl0XT2DXCbxNMilx9sHvUyxPuilxzyhlxLnB700ZZBLFU+HXEy33SGXpnk65FLiJwS5mFg75NL0xDvkUsXM6Z8ozgFyyTEe5aLr59RL3f0CFAASSq8IAAA=")
    /// `gzip.compress(b"hello hello hello!")`: one fixed-Huffman block.
    static let fixed = Data(fixture: "H4sIAAAAAAACA8tIzcnJV8hAkIoAe4U2cxIAAAA=")
    /// `gzip.compress(b"")`.
    static let empty = Data(fixture: "H4sIAAAAAAACAwMAAAAAAAAAAAA=")
}

@Suite("IO: gzip and DEFLATE")
struct IOGzipTests {
    @Test func decodesDynamicHuffmanBlock() throws {
        let bytes = try Gzip.decompress(GzipFixtures.dynamic)
        #expect(String(decoding: bytes, as: UTF8.self) == GzipFixtures.payload)
    }

    @Test func skipsOptionalHeaderFieldsAndChecksHeaderCRC() throws {
        let bytes = try Gzip.decompress(GzipFixtures.allFlags)
        #expect(String(decoding: bytes, as: UTF8.self) == GzipFixtures.payload)
        var damaged = [UInt8](GzipFixtures.allFlags)
        damaged[12] ^= 1  // inside FEXTRA, covered by the header CRC
        #expect(formatErrorText { _ = try Gzip.decompress(Data(damaged), name: "a.gz") }
            == "a.gz: byte 40: header CRC mismatch: stored 0xdf1f, computed 0x2202; the file is corrupt")
    }

    @Test func decodesFixedHuffmanAndEmptyMembers() throws {
        #expect(try Gzip.decompress(GzipFixtures.fixed) == Array("hello hello hello!".utf8))
        #expect(try Gzip.decompress(GzipFixtures.empty) == [])
    }

    @Test func concatenatesMembersAndIgnoresZeroPadding() throws {
        let joined = GzipFixtures.fixed + GzipFixtures.dynamic + Data(count: 5)
        let bytes = try Gzip.decompress(joined)
        #expect(String(decoding: bytes, as: UTF8.self) == "hello hello hello!" + GzipFixtures.payload)
    }

    @Test func storedBlocksRoundTripAcrossBlockBoundaries() throws {
        var random = FuzzRandom(seed: 7)
        let bytes = (0..<150_000).map { _ in random.byte() }
        let gz = Gzip.storedGzip(bytes)
        #expect(gz.count == 10 + 3 * 5 + 150_000 + 8)
        #expect(try Gzip.decompress(gz) == bytes)
        #expect(try Gzip.decompress(Gzip.storedGzip([])) == [])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") || FileManager.default.isExecutableFile(atPath: "/bin/gzip")))
    func matchesSystemGzipOnLargeInput() throws {
        // Text-like data with long and short repeats exercises many dynamic blocks and long matches.
        var random = FuzzRandom(seed: 42)
        let words = ["tensor", "gradient", "nabla", "loss", " ", "\n", "0.125", "relu", "softmax", "batch"]
        var text = [UInt8]()
        while text.count < 400_000 {
            text += Array(words[random.next(below: words.count)].utf8)
            if random.next(below: 50) == 0 { text += (0..<random.next(below: 300)).map { _ in random.byte() } }
        }
        let compressed = try systemGzip(text)
        #expect(try Gzip.decompress(compressed) == text)
    }

    @Test func rejectsCorruptData() {
        var badCRC = [UInt8](GzipFixtures.fixed)
        badCRC[badCRC.count - 8] ^= 0xFF
        #expect(formatErrorText { _ = try Gzip.decompress(Data(badCRC), name: "x.gz") }
            == "x.gz: byte 21: CRC-32 mismatch: stored 0x73368584, computed 0x7336857b; the file is corrupt; download or copy it again")
        let truncated = GzipFixtures.dynamic.prefix(100)
        #expect(formatErrorText { _ = try Gzip.decompress(truncated, name: "x.gz") }
            == "x.gz: byte 100: compressed data ends unexpectedly; the file is truncated; download or copy it again")
        #expect(formatErrorText { _ = try Gzip.decompress(Data([0x50, 0x4B, 3, 4, 0, 0, 0, 0, 0, 0]), name: "x.zip") }
            == "x.zip: byte 0: bad gzip magic number 0x504b (expected 0x1f8b); is this a gzip file?")
        #expect(formatErrorText { _ = try Gzip.decompress(GzipFixtures.fixed + Data([1, 2, 3]), name: "x.gz") }
            == "x.gz: byte 29: 3 bytes of trailing garbage after the gzip data; the file may be corrupt or have been appended to")
    }

    @Test func refusesOutputBeyondTheLimit() {
        // A lying ISIZE cannot raise the limit; the decoder stops as soon as the output passes it.
        #expect(formatErrorText { _ = try Gzip.decompress(GzipFixtures.dynamic, name: "bomb.gz", maxOutputBytes: 1000) }
            == "bomb.gz: byte 168: decompressed data exceeds the limit of 1000 bytes; raise maxOutputBytes if the file is genuine; otherwise it may be a decompression bomb")
    }

    @Test func decodesRawDeflate() throws {
        // Raw DEFLATE is the gzip member minus its 10-byte header and 8-byte trailer.
        let raw = GzipFixtures.fixed.dropFirst(10).dropLast(8)
        #expect(try Inflate.decompress(Data(raw), maxOutputBytes: 100) == Array("hello hello hello!".utf8))
    }

    @Test func fuzzedGzipParsesOrThrowsFormatError() {
        let rejected = fuzzParser([UInt8](GzipFixtures.allFlags), seed: 1) { data in
            _ = try Gzip.decompress(data, name: "fuzz.gz", maxOutputBytes: 1 << 20)
        }
        #expect(rejected > 900)
        fuzzParser([UInt8](GzipFixtures.dynamic), seed: 2) { data in
            _ = try Inflate.decompress(data.dropFirst(10), name: "fuzz.deflate", maxOutputBytes: 1 << 20)
        }
    }

    private func systemGzip(_ input: [UInt8]) throws -> Data {
        let directory = try IOTempDirectory()
        let file = directory.file("input.txt")
        try Data(input).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") ? "/usr/bin/gzip" : "/bin/gzip")
        process.arguments = ["-9", "-n", file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try Data(contentsOf: directory.file("input.txt.gz"))
    }
}
