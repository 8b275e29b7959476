import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaBackend

/// SHA-256 against FIPS 180-2's examples and `sha256sum` output.
@Suite struct SHA256Tests {
    /// (message, digest) pairs; the digests are `printf MESSAGE | sha256sum`.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ]

    @Test func knownVectors() {
        for (message, digest) in Self.vectors {
            #expect(SHA256.hexDigest(of: Data(message.utf8)) == digest, "\"\(message)\"")
        }
    }

    @Test func oneMillionAs() {
        #expect(SHA256.hexDigest(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every split of 768 bytes (0…255 three times) into two pieces gives `sha256sum`'s digest.
    @Test func piecesGiveTheSameDigestAsTheWhole() {
        let bytes = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } }
        let expected = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363"
        #expect(SHA256.hexDigest(of: Data(bytes)) == expected)
        for cut in [0, 1, 55, 56, 63, 64, 65, 127, 128, 500, 767, 768] {
            var hash = SHA256()
            hash.update(Array(bytes[..<cut]))
            hash.update(Array(bytes[cut...]))
            #expect(hash.hexDigest() == expected, "cut at \(cut)")
        }
        var byByte = SHA256()
        for byte in bytes { byByte.update([byte]) }
        #expect(byByte.hexDigest() == expected)
    }

    @Test func digestLeavesTheHashUsable() {
        var hash = SHA256()
        hash.update(Array("ab".utf8))
        _ = hash.digest()
        hash.update(Array("c".utf8))
        #expect(hash.hexDigest() == Self.vectors[1].1)
        #expect(hash.digest().count == 32)
    }

    /// The SHA extensions (where the CPU has them) and the Swift loop give the same digests, for every length
    /// around the block and padding boundaries, for pieces, and for a buffer of many blocks.
    @Test func hardwareAndPortablePathsAgree() {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &g) }
        for count in Array(0...200) + [1000, 4096, 65_537, 70_000] {
            var hardware = SHA256(hardware: true), portable = SHA256(hardware: false)
            hardware.update(Array(bytes[..<count]))
            portable.update(Array(bytes[..<count]))
            #expect(hardware.hexDigest() == portable.hexDigest(), "\(count) bytes")
        }
        for (message, digest) in Self.vectors {
            var hash = SHA256(hardware: true)
            hash.update(Array(message.utf8))
            #expect(hash.hexDigest() == digest, "\"\(message)\"")
        }
        var pieces = SHA256(hardware: true)
        for start in stride(from: 0, to: bytes.count, by: 777) { pieces.update(Array(bytes[start..<min(start + 777, bytes.count)])) }
        var whole = SHA256(hardware: false)
        whole.update(bytes)
        #expect(pieces.hexDigest() == whole.hexDigest())
    }

    @Test func hardwarePathRunsWhereTheCPUHasIt() {
        #expect(SHA256Hardware.isAvailable == (SHA256Hardware.cpuSupports && SIMDVariant.current != .baseline))
    }
}
