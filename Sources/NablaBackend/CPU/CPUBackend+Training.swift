/// The CPU backend's LSTM, attention, optimizer and image kernels.
extension CPUBackend {
    // MARK: - LSTM

    package static func lstmForward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                             weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                             out: UnsafeMutablePointer<Float>, saved: LSTMBuffers, _ s: LSTMShape) {
        Kernels.lstmForward(x, h0: h0, c0: c0, weightIH: weightIH, weightHH: weightHH, bias: bias, out: out, saved: saved, s)
    }

    package static func lstmBackward(_ gradOut: UnsafePointer<Float>, weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>,
                              saved: LSTMBuffers, grads: LSTMGradients, _ s: LSTMShape) {
        Kernels.lstmBackward(gradOut, weightIH: weightIH, weightHH: weightHH, saved: saved, grads: grads, s)
    }

    // MARK: - Attention

    package static func attentionForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                                         out: UnsafeMutablePointer<Float>, buffers: AttentionBuffers, _ s: AttentionShape) {
        Kernels.attentionForward(q, k, v, out: out, buffers: buffers, s)
    }

    package static func attentionBackward(_ gradOut: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                                          _ v: UnsafePointer<Float>, buffers: AttentionBuffers, grads: AttentionGradients,
                                          _ s: AttentionShape) {
        Kernels.attentionBackward(gradOut, q, k, v, buffers: buffers, grads: grads, s)
    }

    // MARK: - Optimizer updates

    package static func sgdStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, momentumBuffer: UnsafeMutablePointer<Float>?,
                         count: Int, _ c: SGDStep) {
        Kernels.sgdStep(p, g, momentumBuffer: momentumBuffer, count: count, c)
    }

    package static func adaGradStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                             count: Int, _ c: AdaGradStep) {
        Kernels.adaGradStep(p, g, sum: sum, count: count, c)
    }

    package static func rmsPropStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, squareAvg: UnsafeMutablePointer<Float>,
                             gradAvg: UnsafeMutablePointer<Float>?, momentumBuffer: UnsafeMutablePointer<Float>?, count: Int,
                             _ c: RMSPropStep) {
        Kernels.rmsPropStep(p, g, squareAvg: squareAvg, gradAvg: gradAvg, momentumBuffer: momentumBuffer, count: count, c)
    }

    package static func adamStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                          expAvgSq: UnsafeMutablePointer<Float>, maxExpAvgSq: UnsafeMutablePointer<Float>?, count: Int,
                          _ c: AdamStep) {
        Kernels.adamStep(p, g, expAvg: expAvg, expAvgSq: expAvgSq, maxExpAvgSq: maxExpAvgSq, count: count, c)
    }

    // MARK: - Image augmentation

    package static func flipHorizontal(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        Kernels.flipHorizontal(source, target, image)
    }

    package static func flipVertical(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        Kernels.flipVertical(source, target, image)
    }

    package static func shiftedCopy(_ source: UnsafePointer<Float>, _ sourceImage: ImagePlanes, _ target: UnsafeMutablePointer<Float>,
                             _ targetImage: ImagePlanes, dy: Int, dx: Int) {
        Kernels.shiftedCopy(source, sourceImage, target, targetImage, dy: dy, dx: dx)
    }

    package static func rotateNearest(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                               _ rotation: ImageRotation) {
        Kernels.rotateNearest(source, target, image, rotation)
    }

    package static func rotateBilinear(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                                _ rotation: ImageRotation) {
        Kernels.rotateBilinear(source, target, image, rotation)
    }
}
