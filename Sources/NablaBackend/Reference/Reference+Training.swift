/// The optimizer updates and the image kernels, one element or pixel at a time.
extension ReferenceBackend {
    // MARK: - Optimizer updates, as their documentation in OptimizerSteps.swift writes them

    package static func sgdStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, momentumBuffer: UnsafeMutablePointer<Float>?,
                         count: Int, _ c: SGDStep) {
        for i in 0..<count {
            var d = Self.decayed(g[i], p[i], c.weightDecay)
            if let b = momentumBuffer {
                b[i] = c.firstStep ? d : c.momentum * b[i] + c.keep * d
                d = c.nesterov ? d + c.momentum * b[i] : b[i]
            }
            p[i] += c.negativeLearningRate * d
        }
    }

    package static func adaGradStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>,
                             count: Int, _ c: AdaGradStep) {
        for i in 0..<count {
            let d = Self.decayed(g[i], p[i], c.weightDecay)
            sum[i] += d * d
            p[i] += c.negativeLearningRate * d / (sum[i].squareRoot() + c.eps)
        }
    }

    package static func rmsPropStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, squareAvg: UnsafeMutablePointer<Float>,
                             gradAvg: UnsafeMutablePointer<Float>?, momentumBuffer: UnsafeMutablePointer<Float>?, count: Int,
                             _ c: RMSPropStep) {
        for i in 0..<count {
            let d = Self.decayed(g[i], p[i], c.weightDecay)
            squareAvg[i] = c.alpha * squareAvg[i] + c.oneMinusAlpha * d * d
            var variance = squareAvg[i]
            if let gradAvg {
                gradAvg[i] += c.oneMinusAlpha * (d - gradAvg[i])
                variance -= gradAvg[i] * gradAvg[i]
            }
            let avg = variance.squareRoot() + c.eps
            if let b = momentumBuffer {
                b[i] = c.momentum * b[i] + d / avg
                p[i] += c.negativeLearningRate * b[i]
            } else {
                p[i] += c.negativeLearningRate * d / avg
            }
        }
    }

    package static func adamStep(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, expAvg: UnsafeMutablePointer<Float>,
                          expAvgSq: UnsafeMutablePointer<Float>, maxExpAvgSq: UnsafeMutablePointer<Float>?, count: Int,
                          _ c: AdamStep) {
        for i in 0..<count {
            p[i] *= c.shrink ?? 1
            let d = Self.decayed(g[i], p[i], c.weightDecay)
            expAvg[i] += c.oneMinusBeta1 * (d - expAvg[i])
            expAvgSq[i] = c.beta2 * expAvgSq[i] + c.oneMinusBeta2 * d * d
            var v = expAvgSq[i]
            if let maxExpAvgSq {
                maxExpAvgSq[i] = Swift.max(maxExpAvgSq[i], v)
                v = maxExpAvgSq[i]
            }
            p[i] += c.negativeStepSize * expAvg[i] / (v.squareRoot() / c.biasCorrection2Sqrt + c.eps)
        }
    }

    /// The gradient with L2 weight decay added, when there is one.
    static func decayed(_ g: Float, _ p: Float, _ weightDecay: Float?) -> Float {
        weightDecay.map { g + $0 * p } ?? g
    }

    // MARK: - Image augmentation

    package static func flipHorizontal(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        Self.forEachPixel(image) { c, y, x in
            target[Self.at(c, y, x, image)] = source[Self.at(c, y, image.width - 1 - x, image)]
        }
    }

    package static func flipVertical(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        Self.forEachPixel(image) { c, y, x in
            target[Self.at(c, y, x, image)] = source[Self.at(c, image.height - 1 - y, x, image)]
        }
    }

    package static func shiftedCopy(_ source: UnsafePointer<Float>, _ sourceImage: ImagePlanes, _ target: UnsafeMutablePointer<Float>,
                             _ targetImage: ImagePlanes, dy: Int, dx: Int) {
        Self.forEachPixel(targetImage) { c, y, x in
            guard let from = Self.inside(c, y + dy, x + dx, sourceImage) else { return }
            target[Self.at(c, y, x, targetImage)] = source[from]
        }
    }

    package static func rotateNearest(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                               _ rotation: ImageRotation) {
        Self.forEachPixel(image) { c, y, x in
            let point = rotation.source(x: x, y: y)
            guard let from = Self.inside(c, Int(point.y.rounded()), Int(point.x.rounded()), image) else { return }
            target[Self.at(c, y, x, image)] = source[from]
        }
    }

    package static func rotateBilinear(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes,
                                _ rotation: ImageRotation) {
        Self.forEachPixel(image) { c, y, x in
            let point = rotation.source(x: x, y: y)
            guard point.x > -1 && point.x < Double(image.width) && point.y > -1 && point.y < Double(image.height) else { return }
            let (x0, y0) = (Int(point.x.rounded(.down)), Int(point.y.rounded(.down)))
            let (fx, fy) = (Float(point.x - Double(x0)), Float(point.y - Double(y0)))
            var value: Float = 0
            // The neighbours (x0 + a, y0 + b) weigh (1 − fx or fx)·(1 − fy or fy); missing ones add nothing.
            for (b, a) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                guard let from = Self.inside(c, y0 + b, x0 + a, image) else { continue }
                value += (a == 0 ? 1 - fx : fx) * (b == 0 ? 1 - fy : fy) * source[from]
            }
            target[Self.at(c, y, x, image)] = value
        }
    }

    static func forEachPixel(_ image: ImagePlanes, _ body: (Int, Int, Int) -> Void) {
        for c in 0..<image.channels {
            for y in 0..<image.height {
                for x in 0..<image.width { body(c, y, x) }
            }
        }
    }

    /// The flat position of pixel (c, y, x).
    static func at(_ c: Int, _ y: Int, _ x: Int, _ image: ImagePlanes) -> Int { (c * image.height + y) * image.width + x }

    /// The flat position of pixel (c, y, x), or nil when it lies outside the image.
    static func inside(_ c: Int, _ y: Int, _ x: Int, _ image: ImagePlanes) -> Int? {
        y >= 0 && y < image.height && x >= 0 && x < image.width ? at(c, y, x, image) : nil
    }
}
