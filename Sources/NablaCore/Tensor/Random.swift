#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NablaBackend

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// It gives the same sequence on every platform for the same seed.
public struct Generator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    /// A second normal deviate left over from the last Box–Muller pair.
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
        spareNormal = nil
    }

    /// The complete state, for checkpoints: four words of xoshiro state and the spare normal's bits (0 if none).
    public var state: [UInt64] {
        [s.0, s.1, s.2, s.3, spareNormal.map { $0.bitPattern } ?? 0, spareNormal == nil ? 0 : 1]
    }

    /// Restores a generator saved with `state`.
    public init?(state: [UInt64]) {
        guard state.count == 6, state[0] | state[1] | state[2] | state[3] != 0 else { return nil }
        s = (state[0], state[1], state[2], state[3])
        spareNormal = state[5] == 1 ? Double(bitPattern: state[4]) : nil
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal deviate (Box–Muller, both values of each pair used).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u1 = nextUniform()
        while u1 <= Double.leastNormalMagnitude { u1 = nextUniform() }
        let u2 = nextUniform()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// A uniform integer in `0..<upperBound`.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt: upper bound \(upperBound) must be positive")
        return Int(next() % UInt64(upperBound))
    }

    /// A seeded permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var result = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                result.swapAt(i, nextInt(below: i + 1))
            }
        }
        return result
    }
}

/// The default generator used when none is passed, one per thread, like `torch.manual_seed`.
public enum Random {
    private final class Box { var generator = Generator(seed: 0) }
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() } }
        return key
    }()

    private static var box: Box {
        if let raw = pthread_getspecific(key) { return Unmanaged<Box>.fromOpaque(raw).takeUnretainedValue() }
        let box = Box()
        pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        return box
    }

    /// Reseeds this thread's default generator.
    public static func seed(_ seed: UInt64) { box.generator = Generator(seed: seed) }

    /// This thread's default generator, for reading and advancing.
    public static var generator: Generator {
        get { box.generator }
        set { box.generator = newValue }
    }

    /// Runs `body` with this thread's default generator.
    public static func with<R>(_ body: (inout Generator) throws -> R) rethrows -> R {
        try body(&box.generator)
    }
}
