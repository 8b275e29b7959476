import Foundation
import Testing
import Nabla

/// A small seeded generator (SplitMix64) so that fuzz cases are the same on every run.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

/// A damaged copy of `bytes`: bytes flipped or replaced (often in the header), truncated, cut or extended.
func corruptedCopy(_ bytes: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
    var copy = bytes
    switch random.next(below: 6) {
    case 0:
        for _ in 0...random.next(below: 4) where !copy.isEmpty {
            copy[random.next(below: copy.count)] ^= UInt8(1) << UInt8(random.next(below: 8))
        }
    case 1:
        for _ in 0...random.next(below: 4) where !copy.isEmpty { copy[random.next(below: copy.count)] = random.byte() }
    case 2:
        let headerSize = min(copy.count, 128)
        if headerSize > 0 { copy[random.next(below: headerSize)] = random.byte() }
    case 3:
        copy.removeLast(random.next(below: copy.count + 1))
    case 4:
        copy += (0..<1 + random.next(below: 16)).map { _ in random.byte() }
    default:
        let start = random.next(below: copy.count + 1)
        let length = random.next(below: copy.count - start + 1)
        copy.removeSubrange(start..<start + length)
    }
    return copy
}

/// Feeds `count` corruptions of `bytes` to `parse`; each must parse or throw `FormatError`
/// (a crash or hang fails the run). Returns how many were rejected.
@discardableResult
func fuzzParser(_ bytes: [UInt8], count: Int = 1_000, seed: UInt64, parse: (Data) throws -> Void) -> Int {
    var random = FuzzRandom(seed: seed)
    var rejected = 0
    for _ in 0..<count {
        let input = corruptedCopy(bytes, using: &random)
        do {
            try parse(Data(input))
        } catch is FormatError {
            rejected += 1
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
        }
    }
    return rejected
}

/// The description of the `FormatError` that `body` throws, or a recorded issue if it throws none.
func formatErrorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected a FormatError, but no error was thrown")
    } catch let error as FormatError {
        return error.description
    } catch {
        Issue.record("expected a FormatError, got \(type(of: error)): \(error)")
    }
    return nil
}

/// A fresh directory under the system temporary directory, removed when the test is done.
final class IOTempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-io-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

extension Data {
    /// Bytes from a base64 fixture literal.
    init(fixture base64: String) {
        self.init(base64Encoded: base64)!
    }
}
