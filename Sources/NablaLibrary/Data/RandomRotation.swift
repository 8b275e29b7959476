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
        let out = TensorStorage.repeating(0, count: layout.count)
        let span = degrees.upperBound - degrees.lowerBound
        for n in 0..<layout.samples {
            let angle = (degrees.lowerBound + span * generator.nextUniform()) * Double.pi / 180
            let source = images.storage.pointer + n * layout.sampleSize, target = out.pointer + n * layout.sampleSize
            // Output pixel (x, y) reads the source at c + R(−θ)·((x, y) − c), with c the image's centre.
            let rotation = ImageRotation(cosine: Foundation.cos(angle), sine: Foundation.sin(angle),
                                         centerX: Double(layout.width - 1) / 2, centerY: Double(layout.height - 1) / 2)
            switch interpolation {
            case .nearest: Backends.current.rotateNearest(source, target, layout.planes, rotation)
            case .bilinear: Backends.current.rotateBilinear(source, target, layout.planes, rotation)
            }
        }
        return Tensor(shape: images.shape, storage: out)
    }
}
