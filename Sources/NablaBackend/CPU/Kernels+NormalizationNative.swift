import NablaKernelsC

/// Batch normalization through a C variant's kernels (NormBody.h), which give the bits of the Swift loops in
/// Kernels+Normalization.swift: the same split of the channels across cores, one call per chunk of channels.
extension Kernels {
    /// `channelStatistics` through `native`.
    static func channelStatistics(_ native: NativeKernels, _ x: UnsafePointer<Float>, _ layout: ChannelLayout,
                                  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        forEachChannelChunk(layout) { native.channelStatistics(x, layout.range($0), mean, variance) }
    }

    /// `channelAffine` through `native`.
    static func channelAffine(_ native: NativeKernels, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              _ layout: ChannelLayout, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        forEachChannelChunk(layout) { native.channelAffine(x, y, layout.range($0), scale, shift) }
    }

    /// `batchNormBackward` through `native`: the sums of each chunk's channels into a scratch buffer, then dbias,
    /// dweight and dx from them, as the Swift path does channel by channel.
    static func batchNormBackward(_ native: NativeKernels, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                  _ layout: ChannelLayout, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                                  weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                  dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>) {
        let c = layout.channels
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(2 * c, 1)) { sums in
            let sumG = sums.baseAddress!, sumGX = sumG + c
            forEachChannelChunk(layout) { chunk in
                native.gradientSums(x, g, layout.range(chunk), mean, sumG, sumGX)
                for i in chunk {
                    dBias[i] = Float(sumG[i])
                    dWeight[i] = Float(sumGX[i] * Double(invStd[i]))
                }
                guard let dx else { return }
                var operands = NablaInputGradientOperands(mean: mean, invStd: invStd, weight: weight, sumG: sumG, sumGX: sumGX,
                                                          count: Double(layout.perChannel))
                native.inputGradient(x, g, layout.range(chunk), &operands, dx)
            }
        }
    }

    /// `batchNormGradientSums` through `native`.
    static func batchNormGradientSums(_ native: NativeKernels, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                      _ layout: ChannelLayout, mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Double>,
                                      sumGX: UnsafeMutablePointer<Double>) {
        forEachChannelChunk(layout) { native.gradientSums(x, g, layout.range($0), mean, sumG, sumGX) }
    }

    /// `batchNormInputGradient` through `native`.
    static func batchNormInputGradient(_ native: NativeKernels, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                       _ layout: ChannelLayout, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                                       weight: UnsafePointer<Float>, sumG: UnsafePointer<Double>, sumGX: UnsafePointer<Double>,
                                       count: Double, dx: UnsafeMutablePointer<Float>) {
        let operands = NablaInputGradientOperands(mean: mean, invStd: invStd, weight: weight, sumG: sumG, sumGX: sumGX, count: count)
        withUnsafePointer(to: operands) { operands in
            forEachChannelChunk(layout) { native.inputGradient(x, g, layout.range($0), operands, dx) }
        }
    }
}

extension ChannelLayout {
    /// The channels `chunk` of this layout, as the C kernels take them.
    func range(_ chunk: Range<Int>) -> NablaChannelRange {
        NablaChannelRange(batch: batch, channels: channels, spatial: spatial, first: chunk.lowerBound, count: chunk.count)
    }
}
