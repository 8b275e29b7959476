/// Sixteen float lanes held as four `SIMDMath.Vector`s (the width SIMDMath's kernels run at), for the row
/// reductions whose order the C variants reproduce: lane l accumulates elements l, l + 16, l + 32, … of a row,
/// and `sum()` and `max()` fold the lanes as a fixed tree (halves, then quarters, then pairs). AVX-512 holds
/// the sixteen lanes in one register and AVX2 in two, so every variant adds in the same order.
struct Lanes16 {
    typealias V = SIMDMath.Vector
    /// Lanes 0–3, 4–7, 8–11 and 12–15.
    var v0, v1, v2, v3: V

    @inline(__always) init(_ v0: V, _ v1: V, _ v2: V, _ v3: V) {
        (self.v0, self.v1, self.v2, self.v3) = (v0, v1, v2, v3)
    }

    @inline(__always) init(repeating value: Float) {
        let v = V(repeating: value)
        self.init(v, v, v, v)
    }

    /// Sixteen values from `p`.
    @inline(__always) init(_ p: UnsafePointer<Float>) {
        let raw = UnsafeRawPointer(p)
        self.init(raw.loadUnaligned(as: V.self), raw.loadUnaligned(fromByteOffset: 16, as: V.self),
                  raw.loadUnaligned(fromByteOffset: 32, as: V.self), raw.loadUnaligned(fromByteOffset: 48, as: V.self))
    }

    /// The first `count` values from `p` (fewer than 16), the other lanes `fill`.
    @inline(__always) init(_ p: UnsafePointer<Float>, count: Int, fill: Float) {
        self = withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { lanes in
            let base = lanes.baseAddress!
            base.initialize(repeating: fill, count: 16)
            base.update(from: p, count: count)
            return Lanes16(UnsafePointer(base))
        }
    }

    /// Writes all sixteen lanes to `p`.
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: v0, as: V.self)
        raw.storeBytes(of: v1, toByteOffset: 16, as: V.self)
        raw.storeBytes(of: v2, toByteOffset: 32, as: V.self)
        raw.storeBytes(of: v3, toByteOffset: 48, as: V.self)
    }

    /// Writes the first `count` lanes to `p`.
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, count: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { lanes in
            store(lanes.baseAddress!)
            p.update(from: lanes.baseAddress!, count: count)
        }
    }

    /// Lanes from `count` on set to 0.
    @inline(__always) func keeping(_ count: Int) -> Lanes16 {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { lanes in
            let base = lanes.baseAddress!
            store(base)
            (base + count).update(repeating: 0, count: 16 - count)
            return Lanes16(UnsafePointer(base))
        }
    }

    @inline(__always) func map(_ f: (V) -> V) -> Lanes16 { Lanes16(f(v0), f(v1), f(v2), f(v3)) }

    @inline(__always) static func + (a: Lanes16, b: Lanes16) -> Lanes16 { Lanes16(a.v0 + b.v0, a.v1 + b.v1, a.v2 + b.v2, a.v3 + b.v3) }
    @inline(__always) static func - (a: Lanes16, b: Lanes16) -> Lanes16 { Lanes16(a.v0 - b.v0, a.v1 - b.v1, a.v2 - b.v2, a.v3 - b.v3) }
    @inline(__always) static func * (a: Lanes16, b: Lanes16) -> Lanes16 { Lanes16(a.v0 * b.v0, a.v1 * b.v1, a.v2 * b.v2, a.v3 * b.v3) }
    @inline(__always) static func - (a: Lanes16, s: Float) -> Lanes16 { Lanes16(a.v0 - s, a.v1 - s, a.v2 - s, a.v3 - s) }
    @inline(__always) static func * (a: Lanes16, s: Float) -> Lanes16 { Lanes16(a.v0 * s, a.v1 * s, a.v2 * s, a.v3 * s) }
    @inline(__always) static func - (s: Float, a: Lanes16) -> Lanes16 { Lanes16(s - a.v0, s - a.v1, s - a.v2, s - a.v3) }

    /// Lane by lane, `b` where b ≥ a, else `a`: a NaN in `b` never replaces `a`.
    @inline(__always) static func keepingLarger(_ a: Lanes16, _ b: Lanes16) -> Lanes16 {
        Lanes16(larger(a.v0, b.v0), larger(a.v1, b.v1), larger(a.v2, b.v2), larger(a.v3, b.v3))
    }

    @inline(__always) private static func larger(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .>= a) }

    /// Lanes 0–7 plus lanes 8–15, then the first four of those plus the next four, then two plus two, then one plus one.
    @inline(__always) func sum() -> Float {
        let quarter = (v0 + v2) + (v1 + v3)
        let pair = quarter.lowHalf + quarter.highHalf
        return pair[0] + pair[1]
    }

    /// The largest lane, folded in `sum()`'s tree with `keepingLarger`.
    @inline(__always) func max() -> Float {
        let quarter = Self.larger(Self.larger(v0, v2), Self.larger(v1, v3))
        let pair = quarter.lowHalf.replacing(with: quarter.highHalf, where: quarter.highHalf .>= quarter.lowHalf)
        return pair[1] >= pair[0] ? pair[1] : pair[0]
    }
}
