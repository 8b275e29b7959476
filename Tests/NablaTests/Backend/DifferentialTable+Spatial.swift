@testable import NablaBackend
@testable import NablaCore
import Nabla

/// Convolution, pooling, normalization and the LSTM, on random batch sizes, channels, windows and sequences.
extension DifferentialTable {
    static let spatial: [PrimitiveRow] = [
        PrimitiveRow("conv2d.window", .summed) { g in
            let (kh, kw) = (g.int(1...3), g.int(1...3))
            let (stride, padding, dilation) = ((g.int(1...2), g.int(1...2)), (g.int(0...1), g.int(0...1)), (g.int(1...2), g.int(1...2)))
            let (n, c, o) = (g.int(1...3), g.int(1...3), g.int(1...4))
            let (h, w) = (dilation.0 * (kh - 1) + g.int(1...5), dilation.1 * (kw - 1) + g.int(1...5))
            let bias = g.bool()
            let inputs: [InputSpec] = [.normal([n, c, h, w]), .normal([o, c, kh, kw])] + (bias ? [.normal([o])] : [])
            return Variant(inputs, "stride \(stride) padding \(padding) dilation \(dilation) bias \(bias)") {
                Functional.conv2d($0[0], weight: $0[1], bias: bias ? $0[2] : nil, stride: stride, padding: padding, dilation: dilation)
            }
        },
        PrimitiveRow("maxPool2d.window", .exact) { g in
            let window = poolWindow(&g, dilated: true)
            let shape = [g.int(1...3), g.int(1...3), window.minimumHeight + g.int(0...4), window.minimumWidth + g.int(0...4)]
            return Variant([.normal(shape)], window.description) {
                Functional.maxPool2d($0[0], kernelSize: window.kernel, stride: window.stride, padding: window.padding,
                                     dilation: window.dilation)
            }
        },
        PrimitiveRow("avgPool2d.window", .summed) { g in
            let window = poolWindow(&g, dilated: false)
            let includePad = g.bool()
            let shape = [g.int(1...3), g.int(1...3), window.minimumHeight + g.int(0...4), window.minimumWidth + g.int(0...4)]
            return Variant([.normal(shape)], "\(window) countIncludePad \(includePad)") {
                Functional.avgPool2d($0[0], kernelSize: window.kernel, stride: window.stride, padding: window.padding,
                                     countIncludePad: includePad)
            }
        },
        PrimitiveRow("batchNorm.training", .summed) { g in
            let shape = [g.int(2...4), g.int(1...4)] + g.shape(rank: 0...2, sizes: 1...4)
            let affine = g.bool()
            let inputs: [InputSpec] = [.normal(shape)] + (affine ? [.normal([shape[1]]), .normal([shape[1]])] : [])
            return Variant(inputs, "affine \(affine)") { x in
                let (y, mean, variance) = Functional.batchNorm(x[0], weight: affine ? x[1] : nil, bias: affine ? x[2] : nil)
                return Tensor.cat([y.flatten(), mean, variance])
            }
        },
        PrimitiveRow("layerNorm.rows", .summed) { g in
            let normalized = g.shape(rank: 1...2, sizes: 1...20)
            let shape = g.shape(rank: 0...2, sizes: 1...4) + normalized
            let (weight, bias) = (g.bool(), g.bool())
            let inputs: [InputSpec] = [.normal(shape)] + (weight ? [.normal(normalized)] : []) + (bias ? [.normal(normalized)] : [])
            return Variant(inputs, "weight \(weight) bias \(bias)") { x in
                Functional.layerNorm(x[0], normalizedShape: normalized, weight: weight ? x[1] : nil, bias: bias ? x.last : nil)
            }
        },
        // A group of one process: the synchronised path (exchange, Chan's combination, the split backward kernels).
        PrimitiveRow("batchNorm.synchronized", .summed) { g in
            let shape = [g.int(2...4), g.int(1...4)] + g.shape(rank: 0...2, sizes: 1...4)
            return Variant([.normal(shape), .normal([shape[1]]), .normal([shape[1]])]) { x in
                let (y, mean, variance, _) = Functional.synchronizedBatchNorm(x[0], weight: x[1], bias: x[2], over: SoloGroup())
                return Tensor.cat([y.flatten(), mean, variance])
            }
        },
    ]

    static let recurrent: [PrimitiveRow] = [
        PrimitiveRow("lstm.sequence", .summed) { g in
            let (steps, batch, inputs, hidden) = (g.int(1...4), g.int(1...3), g.int(1...4), g.int(1...5))
            let (batchFirst, bias, h0, c0) = (g.bool(), g.bool(), g.bool(), g.bool())
            let x: [Int] = batchFirst ? [batch, steps, inputs] : [steps, batch, inputs]
            var specs: [InputSpec] = [.normal(x), .normal([4 * hidden, inputs]), .normal([4 * hidden, hidden])]
            if bias { specs.append(.normal([4 * hidden])) }
            if h0 { specs.append(.normal([batch, hidden])) }
            if c0 { specs.append(.normal([batch, hidden])) }
            return Variant(specs, "batchFirst \(batchFirst) bias \(bias) h0 \(h0) c0 \(c0)") { t in
                var rest = t[3...].makeIterator()
                let (b, h, c) = (bias ? rest.next() : nil, h0 ? rest.next() : nil, c0 ? rest.next() : nil)
                return Functional.lstm(t[0], h0: h, c0: c, weightIH: t[1], weightHH: t[2], bias: b, batchFirst: batchFirst)
            }
        },
    ]

    /// A pooling window: kernel 1–3, stride 1–3, padding up to half the kernel, dilation 1–2 when `dilated`.
    struct PoolWindow: Sendable, CustomStringConvertible {
        let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)

        /// The smallest input the window fits, padding included.
        var minimumHeight: Int { Swift.max(1, dilation.0 * (kernel.0 - 1) + 1 - 2 * padding.0) }
        var minimumWidth: Int { Swift.max(1, dilation.1 * (kernel.1 - 1) + 1 - 2 * padding.1) }

        var description: String { "kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation)" }
    }

    static func poolWindow(_ g: inout Generator, dilated: Bool) -> PoolWindow {
        let kernel = (g.int(1...3), g.int(1...3))
        return PoolWindow(kernel: kernel, stride: (g.int(1...3), g.int(1...3)),
                          padding: (g.int(0...(kernel.0 / 2)), g.int(0...(kernel.1 / 2))),
                          dilation: dilated ? (g.int(1...2), g.int(1...2)) : (1, 1))
    }
}

extension DifferentialTable {
    /// Sizes past the CPU kernels' thresholds for splitting work across cores (`Kernels.parallelGrain`
    /// elements, `BLAS.splitFrom` multiply-adds, two LSTM sequence groups), so that their parallel paths
    /// are checked too; fewer variants, since the reference loops take longer here.
    static let large: [PrimitiveRow] = [
        PrimitiveRow("binary.mul.large", .longSums, count: 3) { g in
            let (left, right) = g.broadcastPair(rank: 2...3, sizes: 40...70)
            return Variant([.normal(left), .normal(right)]) { $0[0] * $0[1] }
        },
        PrimitiveRow("sum.axis.large", .longSums, count: 3) { g in
            let shape = [g.int(200...300), g.int(200...300)]
            let axis = g.nextInt(below: 2)
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].sum(axis: axis) }
        },
        PrimitiveRow("logSoftmax.axis.large", .longSums, count: 3) { g in
            let shape = [g.int(200...300), g.int(200...300)]
            let axis = g.nextInt(below: 2)
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].logSoftmax(axis: axis) }
        },
        PrimitiveRow("matmul.large", .longSums, count: 2) { g in
            let (m, n, k) = (g.int(150...170), g.int(150...170), g.int(170...190))
            return Variant([.normal([m, k]), .normal([k, n])]) { $0[0].matmul($0[1]) }
        },
        PrimitiveRow("batchNorm.training.large", .longSums, count: 2) { g in
            let shape = [g.int(8...12), g.int(2...4), g.int(60...70), g.int(60...70)]
            return Variant([.normal(shape), .normal([shape[1]]), .normal([shape[1]])]) {
                Functional.batchNorm($0[0], weight: $0[1], bias: $0[2]).output
            }
        },
        PrimitiveRow("layerNorm.rows.large", .longSums, count: 2) { g in
            let (rows, width) = (g.int(300...400), g.int(100...300))
            return Variant([.normal([rows, width]), .normal([width]), .normal([width])]) {
                Functional.layerNorm($0[0], normalizedShape: [width], weight: $0[1], bias: $0[2])
            }
        },
        PrimitiveRow("lstm.sequence.large", .longSums, count: 2) { g in
            let (steps, batch, inputs, hidden) = (g.int(2...3), g.int(40...48), g.int(3...5), g.int(5...8))
            let specs: [InputSpec] = [.normal([steps, batch, inputs]), .normal([4 * hidden, inputs]), .normal([4 * hidden, hidden]),
                                      .normal([4 * hidden]), .normal([batch, hidden]), .normal([batch, hidden])]
            return Variant(specs) { t in
                Functional.lstm(t[0], h0: t[4], c0: t[5], weightIH: t[1], weightHH: t[2], bias: t[3], batchFirst: false)
            }
        },
    ]
}
