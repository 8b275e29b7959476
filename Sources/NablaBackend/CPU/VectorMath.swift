#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
/// Vectorized elementwise math on raw `Float` buffers.
///
/// Each function reads `n` values from `x` and writes `n` results to `y`; `y` may equal `x` for
/// an in-place update, but the buffers must not otherwise overlap. Large buffers are split across
/// cores. Special values follow libm: `exp(-inf) = 0`, `log(0) = -inf`, `log(-1) = nan`,
/// `tanh(±inf) = ±1`, and NaN gives NaN.
///
///     VectorMath.exp(input, output, count)
public enum VectorMath {
    /// Elements per parallel chunk: below twice this a call stays on the calling thread.
    static let minChunk = 1 << 14

    /// `y[i] = e^x[i]`, with relative error below 1e-7 (under 1 ulp); overflows to inf above 88.72.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { SIMDMath.exp($0) }
    }

    /// `y[i] = ln x[i]`, with relative error below 1e-7 (under 1 ulp) for positive inputs.
    public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { SIMDMath.log($0) }
    }

    /// `y[i] = tanh x[i]`, with absolute error below 1e-7; exactly ±1 for |x| ≥ 9.1.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { SIMDMath.tanh($0) }
    }

    /// `y[i] = 1 / (1 + e^-x[i])`, with absolute error below 1e-7; exactly 0 or 1 for large |x|.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { SIMDMath.sigmoid($0) }
    }

    /// `y[i] = x[i]·Φ(x[i])`, the exact GELU (Φ the standard normal CDF), with absolute error below 4e-7
    /// and relative error below 5e-6 for |x| < 6; see `SIMDMath.normalCDF`.
    public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { $0 * SIMDMath.normalCDF($0) }
    }

    /// `y[i] = x[i]·σ(x[i])` (SiLU, or swish) through `sigmoid`'s kernel.
    public static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        map(x, y, n) { $0 * SIMDMath.sigmoid($0) }
    }

    @inline(__always)
    private static func map(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
        _ function: (SIMDMath.Vector) -> SIMDMath.Vector
    ) {
        precondition(n >= 0, "VectorMath: negative count \(n)")
        Parallel.forEachChunk(count: n, minChunk: minChunk) { range in
            apply(function, x + range.lowerBound, y + range.lowerBound, range.count)
        }
    }

    @inline(__always)
    private static func apply(
        _ function: (SIMDMath.Vector) -> SIMDMath.Vector,
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        var i = 0
        // Four independent vectors per step keep the arithmetic ports busy.
        while i + 16 <= n {
            let from = UnsafeRawPointer(x + i), to = UnsafeMutableRawPointer(y + i)
            let v0 = from.loadUnaligned(as: SIMDMath.Vector.self)
            let v1 = from.loadUnaligned(fromByteOffset: 16, as: SIMDMath.Vector.self)
            let v2 = from.loadUnaligned(fromByteOffset: 32, as: SIMDMath.Vector.self)
            let v3 = from.loadUnaligned(fromByteOffset: 48, as: SIMDMath.Vector.self)
            to.storeBytes(of: function(v0), as: SIMDMath.Vector.self)
            to.storeBytes(of: function(v1), toByteOffset: 16, as: SIMDMath.Vector.self)
            to.storeBytes(of: function(v2), toByteOffset: 32, as: SIMDMath.Vector.self)
            to.storeBytes(of: function(v3), toByteOffset: 48, as: SIMDMath.Vector.self)
            i += 16
        }
        while i + 4 <= n {
            let value = UnsafeRawPointer(x + i).loadUnaligned(as: SIMDMath.Vector.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: function(value), as: SIMDMath.Vector.self)
            i += 4
        }
        guard i < n else { return }
        var tail = SIMDMath.Vector(repeating: 1)
        for j in 0..<(n - i) { tail[j] = x[i + j] }
        let result = function(tail)
        for j in 0..<(n - i) { y[i + j] = result[j] }
    }
}

/// The kernels behind `VectorMath`: Cephes-style range reduction plus polynomials, written
/// `a * b + c` because on baseline x86-64 `addProduct` calls libm per lane.
///
/// They work on SIMD4, one SSE register: with SIMD8 or SIMD16 LLVM splits the comparison masks
/// and scalarizes lanes, which measured slower than four independent SIMD4 chains per loop step.
/// Selects are written `replacing(with:where:)`, which compiles to minps/maxps or and/andn/or.
package enum SIMDMath {
    package typealias Vector = SIMD4<Float>
    typealias Bits = SIMD4<Int32>

    // ln 2 split so that n * ln2High is exact for |n| < 2^9.
    static let ln2High: Float = 0.693359375
    static let ln2Low: Float = -2.12194440e-4
    /// Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer.
    static let roundingMagic: Float = 12_582_912

    /// √v in one `sqrtps` (correctly rounded, as `Float.squareRoot`). On Linux the generic
    /// `SIMD4.squareRoot()` takes four scalar square roots, each guarded by a libm fallback for errno.
    @inline(__always)
    package static func squareRoot(_ v: Vector) -> Vector {
        #if arch(x86_64)
        return Vector(_mm_sqrt_ps(__m128(v)))
        #else
        return v.squareRoot()
        #endif
    }

    @inline(__always) static func bits(_ v: Vector) -> Bits { unsafeBitCast(v, to: Bits.self) }
    @inline(__always) static func float(_ b: Bits) -> Vector { unsafeBitCast(b, to: Vector.self) }

    /// e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln2 / 2; e^r from Cephes' degree-7 fit.
    @inline(__always)
    static func exp(_ input: Vector) -> Vector {
        // Beyond these bounds the result is already inf or 0; clamping keeps n in range.
        var x = input.replacing(with: 88.8, where: input .> 88.8)
        x.replace(with: -104, where: x .< -104)
        let shifted = x * 1.44269504088896341 + roundingMagic
        let n = shifted - roundingMagic
        let r = (x - n * ln2High) - n * ln2Low
        var p = 1.9875691500e-4 * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * (r * r) + r + 1
        // 2^n as two factors so that n from -150 to 128 needs only normal exponents.
        let exponent = bits(shifted) &- bits(Vector(repeating: roundingMagic))
        let half = exponent &>> 1
        let scale1 = float((half &+ 127) &<< 23)
        let scale2 = float((exponent &- half &+ 127) &<< 23)
        return y * scale1 * scale2
    }

    /// ln x = e · ln 2 + ln(1 + f) with x = 2^e · (1 + f) and 1 + f in [√½, √2) (Cephes logf).
    @inline(__always)
    static func log(_ input: Vector) -> Vector {
        // Subnormal inputs are scaled into the normal range first.
        let subnormal = input .< Float.leastNormalMagnitude
        let x = input.replacing(with: input * 8_388_608, where: subnormal)
        let exponentOffset = Vector(repeating: 0).replacing(with: -23, where: subnormal)
        // Subtracting the bits of √½ before the shift puts the mantissa in [√½, √2) with no select.
        let e = (bits(x) &- 0x3f35_04f3) &>> 23
        let f = float(bits(x) &- (e &<< 23)) - 1
        let z = f * f
        var p = 7.0376836292e-2 * f - 1.1514610310e-1
        p = p * f + 1.1676998740e-1
        p = p * f - 1.2420140846e-1
        p = p * f + 1.4249322787e-1
        p = p * f - 1.6668057665e-1
        p = p * f + 2.0000714765e-1
        p = p * f - 2.4999993993e-1
        p = p * f + 3.3333331174e-1
        // e as a float: reinterpreting 1.5·2^23 + e and subtracting 1.5·2^23 (stays inline).
        let ef = float(e &+ bits(Vector(repeating: roundingMagic))) - roundingMagic + exponentOffset
        // Cephes adds p·f·z and −z/2 separately; this grouping is as accurate, and the other
        // one makes LLVM scalarize the polynomial.
        var result = ((p * f - 0.5) * z + ef * ln2Low + f) + ef * ln2High
        result.replace(with: -.infinity, where: input .== 0)
        result.replace(with: .infinity, where: input .== .infinity)
        result.replace(with: .nan, where: input .< 0)
        result.replace(with: .nan, where: input .!= input)
        return result
    }

    /// tanh |x|: an odd polynomial below 0.625, else 1 − 2 / (e^{2|x|} + 1); then the sign of x.
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let signBit = bits(x) & Int32.min
        let magnitude = float(bits(x) & Int32.max)
        let z = magnitude * magnitude
        var p = -5.70498872745e-3 * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let polynomial = p * z * magnitude + magnitude
        // tanh(10) rounds to 1 in Float; clamping keeps e^{2|x|} finite.
        let clamped = magnitude.replacing(with: 10, where: magnitude .> 10)
        let large = 1 - 2 / (exp(clamped + clamped) + 1)
        return float(bits(large.replacing(with: polynomial, where: magnitude .< 0.625)) | signBit)
    }

    /// Φ(x) = erfc(−x/√2) / 2, the standard normal CDF. With z = |x|/√2 and t = 1 / (1 + z/2),
    /// erfc z = t · e^(P(t) − z²), where P is a degree-9 polynomial fitted to ln(erfc(z)/t) + z² for z in
    /// [0, 10.5] (Lawson-weighted least squares towards minimax, in Double, against SciPy's erfc; largest
    /// error 4.8e-8). The form keeps erfc's relative accuracy in the far tail, so Φ of a negative x is
    /// accurate however small; Φ of a positive x is 1 − Φ(−x). Relative error of erfc z in Float: about
    /// 1e-7 · (1 + z²), from rounding z² in the exponent.
    @inline(__always)
    static func normalCDF(_ x: Vector) -> Vector {
        let z = float(bits(x) & Int32.max) * 0.707106781186547524
        let t = 1 / (z * 0.5 + 1)
        var p = t * 1.457714182e-01 - 6.856501159e-01
        p = p * t + 1.168762993e+00
        p = p * t - 7.133378682e-01
        p = p * t - 6.509811775e-02
        p = p * t - 7.451664938e-03
        p = p * t + 3.782474979e-02
        p = p * t + 3.859055114e-01
        p = p * t + 9.987261432e-01
        p = p * t - 1.265453001e+00
        let tail = t * exp(p - z * z) * 0.5   // Φ(−|x|)
        return tail.replacing(with: 1 - tail, where: x .> 0)
    }

    /// d/dx x·Φ(x) = Φ(x) + x·φ(x), with φ(x) = e^(−x²/2) / √(2π).
    @inline(__always)
    static func geluDerivative(_ x: Vector) -> Vector {
        normalCDF(x) + x * exp(x * x * -0.5) * 0.398942280401432678
    }

    /// σ(x) = 1 / (1 + e^-x); e^-x overflows to inf for very negative x, giving exactly 0.
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// tanh x as a rational function x·P(x²)/Q(x²) (Eigen's float coefficients), with x clamped to ±7.905,
    /// so it saturates at ±(1 − 3.6e-7). Relative error below 4e-7 and no exp: about 2.5× faster than `tanh`.
    @inline(__always)
    static func tanhRational(_ input: Vector) -> Vector {
        let bound: Float = 7.90531110763549805
        var x = input.replacing(with: bound, where: input .> bound)
        x.replace(with: -bound, where: x .< -bound)
        // Estrin's scheme rather than Horner's: a shorter dependency chain, 15% faster in the LSTM cell.
        let z = x * x
        let z2 = z * z
        let z4 = z2 * z2
        let p01 = z * 6.37261928875436e-04 + 4.89352455891786e-03
        let p23 = z * 5.12229709037114e-08 + 1.48572235717979e-05
        let p45 = z * 2.00018790482477e-13 - 8.60467152213735e-11
        let p = z4 * (z2 * -2.76076847742355e-16 + p45) + (z2 * p23 + p01)
        let q = z2 * (z * 1.19825839466702e-06 + 1.18534705686654e-04) + (z * 2.26843463243900e-03 + 4.89352518554385e-03)
        return x * p / q
    }

    /// σ(x) = (1 + tanh(x/2)) / 2 through `tanhRational`: absolute error below 2.5e-7 (so poor relative
    /// accuracy far below 0, where σ is tiny), about 1.4× faster than `sigmoid`.
    @inline(__always)
    static func sigmoidRational(_ x: Vector) -> Vector {
        tanhRational(x * 0.5) * 0.5 + 0.5
    }
}
