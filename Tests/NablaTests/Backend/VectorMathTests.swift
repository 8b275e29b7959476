import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Deterministic uniform values in [-1, 1) from a 64-bit linear congruential generator.
private struct Uniform {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func nextFloat() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// Runs a VectorMath kernel on an array.
private func applying(
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, to input: [Float]
) -> [Float] {
    var output = [Float](repeating: .nan, count: input.count)
    output.withUnsafeMutableBufferPointer { kernel(input, $0.baseAddress!, input.count) }
    return output
}

/// The largest error of `kernel` against a Double reference, as |y − ref| / (|ref| · relative + absolute):
/// at most 1 means every element is within tolerance.
private func worstError(
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
    _ reference: (Double) -> Double, over input: [Float], relative: Double, absolute: Double
) -> Double {
    let output = applying(kernel, to: input)
    var worst = 0.0
    for (x, y) in zip(input, output) {
        let expected = reference(Double(x))
        let error = abs(Double(y) - expected) / (abs(expected) * relative + absolute)
        worst = max(worst, error.isNaN ? .infinity : error)
    }
    return worst
}

/// `count` evenly spaced floats from `low` to `high`, plus random ones between them.
private func sweep(_ low: Float, _ high: Float, count: Int = 200_000) -> [Float] {
    var generator = Uniform(seed: 42)
    let even = (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    let random = (0..<count).map { _ in low + (high - low) * (generator.nextFloat() + 1) / 2 }
    return even + random
}

/// Positive normal floats spread over every binade, plus a dense sweep of [0.5, 2].
private func positiveFloats() -> [Float] {
    var generator = Uniform(seed: 7)
    var values: [Float] = []
    for exponent in -126...127 {
        for _ in 0..<400 {
            values.append(Float(sign: .plus, exponent: exponent, significand: 1.5 + generator.nextFloat() / 2))
        }
    }
    return values + sweep(0.5, 2)
}

/// A `SIMDMath` function applied four lanes at a time, as a `VectorMath`-style kernel.
private func fourLanes(
    _ function: @escaping (SIMDMath.Vector) -> SIMDMath.Vector
) -> (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void {
    { x, y, n in
        for start in stride(from: 0, to: n, by: 4) {
            var v = SIMDMath.Vector(repeating: 0)
            for k in 0..<min(4, n - start) { v[k] = x[start + k] }
            let result = function(v)
            for k in 0..<min(4, n - start) { y[start + k] = result[k] }
        }
    }
}

@Suite("VectorMath")
struct VectorMathTests {
    @Test("exp is within 2e-7 relative error on [-87, 88]")
    func expAccuracy() {
        #expect(worstError(VectorMath.exp, Foundation.exp, over: sweep(-87, 88), relative: 2e-7, absolute: 0) <= 1)
        #expect(worstError(VectorMath.exp, Foundation.exp, over: sweep(-1, 1), relative: 1.5e-7, absolute: 0) <= 1)
    }

    @Test("exp underflows gradually to subnormals and then 0")
    func expSubnormal() {
        let error = worstError(
            VectorMath.exp, Foundation.exp, over: sweep(-104, -87), relative: 2e-7, absolute: 1.5e-45)
        #expect(error <= 1)
    }

    @Test("exp handles infinities, NaN and overflow like libm")
    func expEdges() {
        let output = applying(VectorMath.exp, to: [0, -.infinity, .infinity, .nan, 89, -104, 88.7, -1000, 1000])
        #expect(output[0] == 1 && output[1] == 0 && output[2] == .infinity && output[3].isNaN)
        #expect(output[4] == .infinity && output[5] == 0 && output[6] == Foundation.exp(88.7 as Float))
        #expect(output[7] == 0 && output[8] == .infinity)
    }

    @Test("log is within 2e-7 relative error on positive floats, subnormals included")
    func logAccuracy() {
        let tiny = Float.leastNormalMagnitude
        let subnormals = [Float.leastNonzeroMagnitude, tiny / 3000, tiny / 3, tiny * 0.99]
        let error = worstError(
            VectorMath.log, Foundation.log, over: positiveFloats() + subnormals, relative: 2e-7, absolute: 1e-30)
        #expect(error <= 1)
    }

    @Test("log handles zero, negatives, infinity and NaN like libm")
    func logEdges() {
        let inputs: [Float] = [1, 0, -0.0, -1, -.infinity, .infinity, .nan, .greatestFiniteMagnitude]
        let output = applying(VectorMath.log, to: inputs)
        #expect(output[0] == 0 && output[1] == -.infinity && output[2] == -.infinity)
        #expect(output[3].isNaN && output[4].isNaN && output[5] == .infinity && output[6].isNaN)
        #expect(abs(output[7] - 88.72284) < 1e-4)
    }

    @Test("tanh is within 2e-7 absolute error on [-20, 20]")
    func tanhAccuracy() {
        #expect(worstError(VectorMath.tanh, Foundation.tanh, over: sweep(-20, 20), relative: 0, absolute: 2e-7) <= 1)
        let nearZero = sweep(-1, 1)
        #expect(worstError(VectorMath.tanh, Foundation.tanh, over: nearZero, relative: 2e-7, absolute: 1e-12) <= 1)
    }

    @Test("tanh saturates without NaN and keeps the sign of zero")
    func tanhEdges() {
        let output = applying(VectorMath.tanh, to: [1000, -1000, .infinity, -.infinity, .nan, 0, -0.0, 1e-30])
        #expect(output[0] == 1 && output[1] == -1 && output[2] == 1 && output[3] == -1 && output[4].isNaN)
        #expect(output[5] == 0 && output[6] == 0 && output[6].sign == .minus && output[7] == 1e-30)
    }

    @Test("sigmoid is within 2e-7 absolute error on [-30, 30]")
    func sigmoidAccuracy() {
        let sigmoid = { (x: Double) in 1 / (1 + Foundation.exp(-x)) }
        let error = worstError(VectorMath.sigmoid, sigmoid, over: sweep(-30, 30), relative: 2e-7, absolute: 1e-30)
        #expect(error <= 1)
    }

    @Test("sigmoid saturates to exactly 0 and 1")
    func sigmoidEdges() {
        let output = applying(VectorMath.sigmoid, to: [-1000, 1000, -.infinity, .infinity, .nan, 0])
        #expect(output[0] == 0 && output[1] == 1 && output[2] == 0 && output[3] == 1)
        #expect(output[4].isNaN && output[5] == 0.5)
    }

    @Test("GELU is within 4e-7 absolute error on [-20, 20], 5e-6 relative on [-6, 6] and 1e-6 near 0, against erfc in Double")
    func geluAccuracy() {
        let gelu = { (x: Double) in x * Foundation.erfc(-x / 2.0.squareRoot()) / 2 }
        #expect(worstError(VectorMath.gelu, gelu, over: sweep(-20, 20), relative: 0, absolute: 4e-7) <= 1)
        #expect(worstError(VectorMath.gelu, gelu, over: sweep(-6, 6), relative: 5e-6, absolute: 1e-30) <= 1)
        // Near 0, GELU ≈ x/2 and Φ(0) carries the polynomial's rounding: a few ulp.
        #expect(worstError(VectorMath.gelu, gelu, over: sweep(-1e-3, 1e-3), relative: 1e-6, absolute: 1e-30) <= 1)
    }

    @Test("the GELU derivative Φ(x) + x·φ(x) is within 3e-7 absolute error on [-20, 20]")
    func geluDerivativeAccuracy() {
        let derivative = { (x: Double) in
            Foundation.erfc(-x / 2.0.squareRoot()) / 2 + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot()
        }
        #expect(worstError(fourLanes(SIMDMath.geluDerivative), derivative, over: sweep(-20, 20), relative: 0, absolute: 3e-7) <= 1)
    }

    @Test("GELU and its derivative go to exactly 0 and x, and 0 and 1, far out, pass NaN on, and the slope at 0 is ½")
    func geluEdges() {
        let output = applying(VectorMath.gelu, to: [-100, 100, -1e30, 1e30, .nan, 0])
        #expect(output[0] == 0 && output[1] == 100 && output[2] == 0 && output[3] == 1e30 && output[4].isNaN && output[5] == 0)
        let slope = applying(fourLanes(SIMDMath.geluDerivative), to: [-100, 100, .nan, 0])
        #expect(slope[0] == 0 && slope[1] == 1 && slope[2].isNaN && Swift.abs(slope[3] - 0.5) <= 3e-7)
    }

    @Test("SiLU is within 2e-7 relative error on [-30, 30]")
    func siluAccuracy() {
        let silu = { (x: Double) in x / (1 + Foundation.exp(-x)) }
        #expect(worstError(VectorMath.silu, silu, over: sweep(-30, 30), relative: 4e-7, absolute: 1e-30) <= 1)
    }

    @Test("every length, tails included, matches libm", arguments: Array(0...40) + [100_003])
    func lengths(_ count: Int) {
        let input = (0..<count).map { Float($0 % 97) / 9 - 5 }
        let output = applying(VectorMath.exp, to: input)
        #expect(zip(input, output).allSatisfy { abs(Double($1) / Foundation.exp(Double($0)) - 1) <= 5e-7 })
    }

    @Test("kernels can work in place")
    func inPlace() {
        var values = (0..<50_000).map { Float($0) / 10_000 + 0.5 }
        let expected = values.map { Foundation.log(Double($0)) }
        values.withUnsafeMutableBufferPointer { buffer in
            VectorMath.log(UnsafePointer(buffer.baseAddress!), buffer.baseAddress!, buffer.count)
        }
        #expect(zip(values, expected).allSatisfy { abs(Double($0) - $1) <= 5e-7 * abs($1) + 1e-12 })
    }

    @Test("rational tanh is within 4e-7 relative error, rational sigmoid within 2.5e-7 absolute")
    func rationalAccuracy() {
        let (tanh, sigmoid) = (fourLanes(SIMDMath.tanhRational), fourLanes(SIMDMath.sigmoidRational))
        #expect(worstError(tanh, Foundation.tanh, over: sweep(-20, 20), relative: 4e-7, absolute: 1e-30) <= 1)
        #expect(worstError(tanh, Foundation.tanh, over: sweep(-1e-3, 1e-3), relative: 2.5e-7, absolute: 1e-30) <= 1)
        let reference = { (x: Double) in 1 / (1 + Foundation.exp(-x)) }
        #expect(worstError(sigmoid, reference, over: sweep(-30, 30), relative: 0, absolute: 2.5e-7) <= 1)
    }

    @Test("rational tanh and sigmoid saturate inside (−1, 1) and (0, 1), within their error, and pass NaN on")
    func rationalEdges() {
        let tanh = applying(fourLanes(SIMDMath.tanhRational), to: [1000, -1000, .infinity, -.infinity, .nan, 0, 7.9, -8])
        #expect(tanh[0] < 1 && tanh[0] > 1 - 4e-7 && tanh[1] == -tanh[0] && tanh[2] == tanh[0] && tanh[3] == tanh[1])
        #expect(tanh[4].isNaN && tanh[5] == 0 && tanh[6] < 1 && tanh[7] > -1)
        let sigmoid = applying(fourLanes(SIMDMath.sigmoidRational), to: [1000, -1000, .nan, 0])
        #expect(sigmoid[0] < 1 && sigmoid[0] > 1 - 2.5e-7 && sigmoid[1] > 0 && sigmoid[1] < 2.5e-7)
        #expect(sigmoid[2].isNaN && sigmoid[3] == 0.5)
    }
}
