import Foundation
import NablaCore
import NablaBackend

/// Rotates each image about its centre by an angle drawn uniformly from `degrees`, filling pixels
/// that come from outside the image with zeros, as `torchvision.transforms.RandomRotation`.
///
/// Positive angles turn the content counter-clockwise as displayed (row 0 at the top). The centre is
/// `((W − 1)/2, (H − 1)/2)`, so a 90° turn of a square image moves every pixel onto another pixel.
///
/// ```swift
/// let rotate = RandomRotation(degrees: 15)                                 // angles in [-15°, 15°]
/// let turned = RandomRotation(degrees: 90...90, interpolation: .nearest)  // exactly 90°
/// let batch = rotate.apply(images, generator: &generator)
/// ```
public struct RandomRotation: Augmentation {
    /// How a rotated pixel reads the source image.
    public enum Interpolation: Sendable {
        /// The closest source pixel.
        case nearest
        /// The four surrounding source pixels weighted by distance; missing ones count as zero.
        case bilinear
    }

    /// The range the angle, in degrees, is drawn from.
    public let degrees: ClosedRange<Double>
    /// How rotated pixels are sampled.
    public let interpolation: Interpolation

    /// Angles drawn uniformly from `degrees`.
    public init(degrees: ClosedRange<Double>, interpolation: Interpolation = .bilinear) {
        precondition(degrees.lowerBound.isFinite && degrees.upperBound.isFinite,
                     "RandomRotation: degrees \(degrees) must be finite")
        self.degrees = degrees
        self.interpolation = interpolation
    }

    /// Angles drawn uniformly from `-degrees...degrees`.
    public init(degrees: Double, interpolation: Interpolation = .bilinear) {
        precondition(degrees >= 0, "RandomRotation: degrees \(degrees) must be non-negative")
        self.init(degrees: -degrees...degrees, interpolation: interpolation)
    }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        let layout = ImageLayout(images, op: "RandomRotation")
        let out = TensorStorage(repeating: 0, count: layout.count)
        let span = degrees.upperBound - degrees.lowerBound
        for n in 0..<layout.samples {
            let angle = (degrees.lowerBound + span * generator.nextUniform()) * Double.pi / 180
            let source = images.storage.pointer + n * layout.sampleSize, target = out.pointer + n * layout.sampleSize
            let rotation = Rotation(angle: angle, layout: layout)
            switch interpolation {
            case .nearest: rotation.nearest(source, target)
            case .bilinear: rotation.bilinear(source, target)
            }
        }
        return Tensor(shape: images.shape, storage: out)
    }
}

/// The inverse map of one rotation: output pixel (x, y) reads the source at
/// `c + R(−θ)·((x, y) − c)`, written for image coordinates whose y axis points down.
private struct Rotation {
    let cosine: Double, sine: Double
    let centerX: Double, centerY: Double
    let layout: ImageLayout

    init(angle: Double, layout: ImageLayout) {
        cosine = Foundation.cos(angle)
        sine = Foundation.sin(angle)
        centerX = Double(layout.width - 1) / 2
        centerY = Double(layout.height - 1) / 2
        self.layout = layout
    }

    /// The source position read by output pixel (x, y).
    @inline(__always) func source(x: Int, y: Int) -> (x: Double, y: Double) {
        let dx = Double(x) - centerX, dy = Double(y) - centerY
        return (centerX + dx * cosine - dy * sine, centerY + dx * sine + dy * cosine)
    }

    func nearest(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>) {
        let width = layout.width, height = layout.height, plane = layout.planeSize
        for y in 0..<height {
            for x in 0..<width {
                let point = self.source(x: x, y: y)
                let sx = Int(point.x.rounded()), sy = Int(point.y.rounded())
                guard sx >= 0 && sx < width && sy >= 0 && sy < height else { continue }
                let from = sy * width + sx, to = y * width + x
                for c in 0..<layout.channels { target[c * plane + to] = source[c * plane + from] }
            }
        }
    }

    func bilinear(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>) {
        let width = layout.width, height = layout.height, plane = layout.planeSize
        for y in 0..<height {
            for x in 0..<width {
                let point = self.source(x: x, y: y)
                guard point.x > -1 && point.x < Double(width) && point.y > -1 && point.y < Double(height) else { continue }
                let x0 = Int(point.x.rounded(.down)), y0 = Int(point.y.rounded(.down))
                let fx = Float(point.x - Double(x0)), fy = Float(point.y - Double(y0))
                // Weights of the four neighbours; a neighbour outside the image gets weight 0.
                let inX0 = x0 >= 0, inX1 = x0 + 1 < width, inY0 = y0 >= 0, inY1 = y0 + 1 < height
                let w00: Float = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0
                let w01: Float = inX1 && inY0 ? fx * (1 - fy) : 0
                let w10: Float = inX0 && inY1 ? (1 - fx) * fy : 0
                let w11: Float = inX1 && inY1 ? fx * fy : 0
                let base = y0 * width + x0, to = y * width + x
                for c in 0..<layout.channels {
                    let i = c * plane + base
                    var value: Float = 0
                    if w00 != 0 { value += w00 * source[i] }
                    if w01 != 0 { value += w01 * source[i + 1] }
                    if w10 != 0 { value += w10 * source[i + width] }
                    if w11 != 0 { value += w11 * source[i + width + 1] }
                    target[c * plane + to] = value
                }
            }
        }
    }
}
