/// Batch normalization, channel by channel, in Double.
extension ReferenceBackend {
    package static func channelStatistics(_ x: UnsafePointer<Float>, _ layout: ChannelLayout,
                                   mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        for c in 0..<layout.channels {
            let values = Self.channelIndices(c, layout).map { Double(x[$0]) }
            let m = values.reduce(0, +) / Double(values.count)
            mean[c] = Float(m)
            variance[c] = Float(values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count))
        }
    }

    package static func channelAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
                               scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        for c in 0..<layout.channels {
            for i in Self.channelIndices(c, layout) { y[i] = x[i] * scale[c] + shift[c] }
        }
    }

    package static func batchNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                   mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                   dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                                   dBias: UnsafeMutablePointer<Float>) {
        for c in 0..<layout.channels {
            let indices = Self.channelIndices(c, layout)
            let r = Double(invStd[c]), count = Double(indices.count)
            let normalized = indices.map { (Double(x[$0]) - Double(mean[c])) * r }
            let sumG = indices.reduce(0.0) { $0 + Double(g[$1]) }
            let sumGX = zip(indices, normalized).reduce(0.0) { $0 + Double(g[$1.0]) * $1.1 }
            dBias[c] = Float(sumG)
            dWeight[c] = Float(sumGX)
            guard let dx else { continue }
            for (i, xHat) in zip(indices, normalized) {
                dx[i] = Float(Double(weight[c]) * r * (Double(g[i]) - sumG / count - xHat * sumGX / count))
            }
        }
    }

    package static func batchNormGradientSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                       mean: UnsafePointer<Float>, sumG: UnsafeMutablePointer<Double>,
                                       sumGX: UnsafeMutablePointer<Double>) {
        for c in 0..<layout.channels {
            let indices = Self.channelIndices(c, layout)
            sumG[c] = indices.reduce(0.0) { $0 + Double(g[$1]) }
            sumGX[c] = indices.reduce(0.0) { $0 + Double(g[$1]) * (Double(x[$1]) - Double(mean[c])) }
        }
    }

    package static func batchNormInputGradient(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ layout: ChannelLayout,
                                        mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                        sumG: UnsafePointer<Double>, sumGX: UnsafePointer<Double>, count: Double,
                                        dx: UnsafeMutablePointer<Float>) {
        for c in 0..<layout.channels {
            let r = Double(invStd[c])
            for i in Self.channelIndices(c, layout) {
                let xHat = (Double(x[i]) - Double(mean[c])) * r
                dx[i] = Float(Double(weight[c]) * r * (Double(g[i]) - sumG[c] / count - xHat * r * sumGX[c] / count))
            }
        }
    }

    /// The flat positions of channel c's values in an [N, C, S] buffer.
    static func channelIndices(_ c: Int, _ layout: ChannelLayout) -> [Int] {
        var indices: [Int] = []
        for n in 0..<layout.batch {
            for p in 0..<layout.spatial { indices.append((n * layout.channels + c) * layout.spatial + p) }
        }
        return indices
    }
}
