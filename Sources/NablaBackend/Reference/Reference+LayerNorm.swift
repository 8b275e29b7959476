import Foundation

/// Layer normalization in plain Double loops, the oracle for the CPU kernels.
extension ReferenceBackend {
    package static func layerNormForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                         _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                         invStd: UnsafeMutablePointer<Float>, rows: Int, width: Int, eps: Float) {
        for r in 0..<rows {
            let row = x + r * width
            let m = (0..<width).reduce(0.0) { $0 + Double(row[$1]) } / Double(width)
            let variance = (0..<width).reduce(0.0) { $0 + (Double(row[$1]) - m) * (Double(row[$1]) - m) } / Double(width)
            let inverse = 1 / (variance + Double(eps)).squareRoot()
            mean[r] = Float(m)
            invStd[r] = Float(inverse)
            for j in 0..<width {
                let normalized = (Double(row[j]) - m) * inverse
                y[r * width + j] = Float(normalized * Double(weight?[j] ?? 1) + Double(bias?[j] ?? 0))
            }
        }
    }

    package static func layerNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                          mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                          dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?, rows: Int,
                                          width: Int) {
        var sumWeight = [Double](repeating: 0, count: width), sumBias = sumWeight
        for r in 0..<rows {
            let (m, inverse) = (Double(mean[r]), Double(invStd[r]))
            let normalized = (0..<width).map { (Double(x[r * width + $0]) - m) * inverse }
            let gs = (0..<width).map { Double(g[r * width + $0]) }
            let scaled = (0..<width).map { gs[$0] * Double(weight?[$0] ?? 1) }
            let meanScaled = scaled.reduce(0, +) / Double(width)
            let meanProduct = zip(scaled, normalized).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(width)
            for j in 0..<width {
                dx?[r * width + j] = Float(inverse * (scaled[j] - meanScaled - normalized[j] * meanProduct))
                sumWeight[j] += gs[j] * normalized[j]
                sumBias[j] += gs[j]
            }
        }
        for j in 0..<width {
            dWeight?[j] = Float(sumWeight[j])
            dBias?[j] = Float(sumBias[j])
        }
    }
}
