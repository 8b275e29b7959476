import Testing
@testable import NablaBackend
@testable import NablaCore

/// The batch-norm kernels of each C variant against the portable path, bit for bit. The C sums must keep Swift's
/// eight-lane accumulators and order, so the inputs span several binary orders of magnitude: a sum added in any other
/// order would round differently.
@Suite("Backend: batch norm under SIMD variants against the portable path")
struct SIMDVariantBatchNormTests {
    /// Spatial sizes that leave every tail of 8 and 16 lanes, several batches (runs interleave four at a time),
    /// channel counts that leave tails for spatial size 1, and layouts large enough to split across cores.
    static let layouts: [ChannelLayout] = {
        var layouts: [ChannelLayout] = []
        for spatial in [1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 33, 196] {
            for batch in [1, 3, 4, 5, 9] {
                for channels in spatial == 1 ? [1, 3, 8, 16, 17, 31] : [1, 3] {
                    layouts.append(ChannelLayout(batch: batch, channels: channels, spatial: spatial))
                }
            }
        }
        let split = [(16, 64, 196), (128, 600, 1), (9, 700, 17)].map { ChannelLayout(batch: $0.0, channels: $0.1, spatial: $0.2) }
        for layout in split { precondition(layout.channels >= 2 * Swift.max(1, Kernels.parallelGrain / layout.perChannel)) }
        return layouts + split
    }()

    @Test("channel statistics give the portable path's bits", arguments: SIMDVariantTests.variants)
    func statisticsBits(_ variant: SIMDVariant) {
        for layout in Self.layouts {
            for wide in [false, true] {
                statistics(variant, layout, Self.values(layout.batch * layout.channels * layout.spatial, seed: 1, offset: 3, wide: wide))
            }
        }
    }

    private func statistics(_ variant: SIMDVariant, _ layout: ChannelLayout, _ x: [Float]) {
        let results = [SIMDVariant.baseline, variant].map { v in
            SIMDVariant.with(v) { () -> [[Float]] in
                var mean = [Float](repeating: 0, count: layout.channels), variance = mean
                Kernels.channelStatistics(x, layout, mean: &mean, variance: &variance)
                return [mean, variance]
            }
        }
        report(variant, "statistics", layout, ["mean", "variance"], results[1], results[0])
    }

    @Test("the channel affine map gives the portable path's bits", arguments: SIMDVariantTests.variants)
    func affineBits(_ variant: SIMDVariant) {
        for layout in Self.layouts {
            let x = Self.values(layout.batch * layout.channels * layout.spatial, seed: 2, offset: 0)
            let scale = Self.values(layout.channels, seed: 3, offset: 1), shift = Self.values(layout.channels, seed: 4, offset: 0)
            let results = [SIMDVariant.baseline, variant].map { v in
                SIMDVariant.with(v) { () -> [[Float]] in
                    var y = [Float](repeating: 0, count: x.count)
                    Kernels.channelAffine(x, &y, layout, scale: scale, shift: shift)
                    return [y]
                }
            }
            report(variant, "affine", layout, ["y"], results[1], results[0])
        }
    }

    @Test("the backward pass gives the portable path's dx, dweight and dbias", arguments: SIMDVariantTests.variants)
    func backwardBits(_ variant: SIMDVariant) {
        for layout in Self.layouts {
            let operands = Operands(layout)
            for withInput in [true, false] {
                let results = [SIMDVariant.baseline, variant].map { v in
                    SIMDVariant.with(v) { () -> [[Float]] in
                        var dx = [Float](repeating: 0, count: operands.x.count)
                        var dWeight = [Float](repeating: 0, count: layout.channels), dBias = dWeight
                        dx.withUnsafeMutableBufferPointer { dx in
                            Kernels.batchNormBackward(operands.x, operands.g, layout, mean: operands.mean, invStd: operands.invStd,
                                                      weight: operands.weight, dx: withInput ? dx.baseAddress : nil,
                                                      dWeight: &dWeight, dBias: &dBias)
                        }
                        return [dx, dWeight, dBias]
                    }
                }
                report(variant, "backward (dx \(withInput))", layout, ["dx", "dweight", "dbias"], results[1], results[0])
            }
        }
    }

    @Test("the synchronized halves give the portable path's sums and dx", arguments: SIMDVariantTests.variants)
    func synchronizedHalvesBits(_ variant: SIMDVariant) {
        for layout in Self.layouts {
            for wide in [false, true] { synchronizedHalves(variant, layout, Operands(layout, wide: wide)) }
        }
    }

    private func synchronizedHalves(_ variant: SIMDVariant, _ layout: ChannelLayout, _ operands: Operands) {
        let results = [SIMDVariant.baseline, variant].map { v in
            SIMDVariant.with(v) { () -> (sums: [[Double]], dx: [Float]) in
                var sumG = [Double](repeating: 0, count: layout.channels), sumGX = sumG
                Kernels.batchNormGradientSums(operands.x, operands.g, layout, mean: operands.mean, sumG: &sumG, sumGX: &sumGX)
                // The totals over a larger joint batch, as the processes of a group add them up.
                let totalG = sumG.map { $0 * 2.5 - 1 }, totalGX = sumGX.map { $0 * 3 + 0.25 }
                var dx = [Float](repeating: 0, count: operands.x.count)
                Kernels.batchNormInputGradient(operands.x, operands.g, layout, mean: operands.mean, invStd: operands.invStd,
                                               weight: operands.weight, sumG: totalG, sumGX: totalGX,
                                               count: Double(3 * layout.perChannel), dx: &dx)
                return ([sumG, sumGX], dx)
            }
        }
        for (name, (fast, portable)) in zip(["sumG", "sumGX"], zip(results[1].sums, results[0].sums)) {
            let same = { (a: Double, b: Double) in a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
            if let i = fast.indices.first(where: { !same(fast[$0], portable[$0]) }) {
                Issue.record("\(variant) gradient sums \(Self.shape(layout)) \(name): channel \(i): variant \(fast[i]), portable \(portable[i])")
            }
        }
        report(variant, "input gradient", layout, ["dx"], [results[1].dx], [results[0].dx])
    }

    @Test("sums that cancel or round on a tie keep the portable path's order", arguments: SIMDVariantTests.variants)
    func orderBits(_ variant: SIMDVariant) {
        for spatial in [1, 8, 17] {
            for batch in [8, 9] {
                for channels in [1, 17] {
                    let layout = ChannelLayout(batch: batch, channels: channels, spatial: spatial)
                    let x = Self.cancellingRuns(layout)
                    statistics(variant, layout, x)
                    synchronizedHalves(variant, layout, Operands(layout, g: x))
                    inputGradientOnTie(variant, layout)
                }
            }
        }
    }

    /// Runs whose sums are, in turn, 2^56·S, S/8, −2^56·S and S/8: added to a Double in run order, the first S/8 of
    /// each four is lost against 2^56·S and the second kept; added in pairs, both are lost.
    static func cancellingRuns(_ layout: ChannelLayout) -> [Float] {
        let values: [Float] = [0x1p56, 0.125, -0x1p56, 0.125]
        var x = [Float](repeating: 0, count: layout.batch * layout.channels * layout.spatial)
        for n in 0..<layout.batch {
            for c in 0..<layout.channels {
                for i in 0..<layout.spatial { x[(n * layout.channels + c) * layout.spatial + i] = values[n % 4] }
            }
        }
        return x
    }

    /// ΣgX·r/count with r = 0.75 and count 7 lies within a Double rounding of a Float tie: computed
    /// as (ΣgX·r)/count it rounds up to 1 + 2^−23, as (ΣgX/count)·r down to 1.
    private func inputGradientOnTie(_ variant: SIMDVariant, _ layout: ChannelLayout) {
        let c = layout.channels, operands = Operands(layout)
        let invStd = [Float](repeating: 0.75, count: c), sumG = [Double](repeating: 1, count: c)
        let sumGX = [Double](repeating: 0x1.2aaaabd555556p+3, count: c)
        let results = [SIMDVariant.baseline, variant].map { v in
            SIMDVariant.with(v) { () -> [Float] in
                var dx = [Float](repeating: 0, count: operands.x.count)
                Kernels.batchNormInputGradient(operands.x, operands.g, layout, mean: operands.mean, invStd: invStd,
                                               weight: operands.weight, sumG: sumG, sumGX: sumGX, count: 7, dx: &dx)
                return dx
            }
        }
        report(variant, "input gradient on a tie", layout, ["dx"], [results[1]], [results[0]])
    }

    // MARK: Inputs

    /// x and g with the mean and 1/√(var + eps) of x (from the portable path), and a weight per channel.
    private struct Operands {
        let x: [Float], g: [Float], mean: [Float], invStd: [Float], weight: [Float]

        /// Drawn values, or `g` given and x the same.
        init(_ layout: ChannelLayout, wide: Bool = false, g given: [Float]? = nil) {
            let count = layout.batch * layout.channels * layout.spatial
            let x = given ?? SIMDVariantBatchNormTests.values(count, seed: 5, offset: -2, wide: wide)
            var mean = [Float](repeating: 0, count: layout.channels), variance = mean
            SIMDVariant.with(.baseline) { Kernels.channelStatistics(x, layout, mean: &mean, variance: &variance) }
            self.x = x
            self.mean = mean
            g = given ?? SIMDVariantBatchNormTests.values(count, seed: 6, offset: 0.5, wide: wide)
            weight = SIMDVariantBatchNormTests.values(layout.channels, seed: 7, offset: 1)
            invStd = variance.map { 1 / ($0 + 1e-5).squareRoot() }
        }
    }

    /// Normal values scaled by 2^−3 … 2^7 in turn, plus `offset`, with an infinity, a NaN and −0 among the last
    /// values where there are enough (the last channels only, so that the others stay finite). `wide` scales groups
    /// of 7 values by 2^−20 … 2^20 instead, so that the runs' sums differ by more than Double's 53 bits hold
    /// exactly, and adding them in Double in another order would round differently too.
    static func values(_ count: Int, seed: UInt64, offset: Float, wide: Bool = false) -> [Float] {
        var g = Generator(seed: seed)
        var values = InputSpec.normal([count]).draw(&g).enumerated().map { i, v in
            v * Float(sign: .plus, exponent: wide ? (i / 7) % 41 - 20 : i % 11 - 3, significand: 1) + offset
        }
        if count >= 64 {
            for (i, special) in [Float.infinity, .nan, -0.0].enumerated() { values[count - 1 - 5 * i] = special }
        }
        return values
    }

    private static func shape(_ layout: ChannelLayout) -> String { "[\(layout.batch), \(layout.channels), \(layout.spatial)]" }

    private func report(_ variant: SIMDVariant, _ kernel: String, _ layout: ChannelLayout, _ names: [String],
                        _ fast: [[Float]], _ portable: [[Float]]) {
        for (name, (a, b)) in zip(names, zip(fast, portable)) {
            if let problem = SIMDVariantTests.bitMismatch(a, b) {
                Issue.record("\(variant) \(kernel) \(Self.shape(layout)) \(name): \(problem)")
            }
        }
    }
}
