import NablaCore
import NablaBackend

/// A random image transform applied to a batch, drawing fresh parameters for every image,
/// as the `torchvision.transforms.v2` augmentations.
///
/// Inputs are NCHW batches `[N, C, H, W]` (or one CHW image `[C, H, W]`) of Float32. Each call
/// returns a new, detached tensor; the input is never modified. All randomness comes from the
/// `generator`, so the same generator state gives the same output.
///
/// ```swift
/// var generator = Generator(seed: 0)
/// let augment = Compose(RandomCrop(size: 28, padding: 2), RandomHorizontalFlip())
/// let augmented = augment.apply(images, generator: &generator)
/// ```
public protocol Augmentation: Sendable {
    /// An augmented copy of `images`, with random parameters drawn from `generator`.
    func apply(_ images: Tensor, generator: inout Generator) -> Tensor
}

extension Augmentation {
    /// An augmented copy of `images`, drawing from this thread's default generator (see `Random.seed`).
    ///
    /// ```swift
    /// Random.seed(0)
    /// let flipped = RandomHorizontalFlip().apply(images)
    /// ```
    public func apply(_ images: Tensor) -> Tensor { Random.with { apply(images, generator: &$0) } }

    /// A `(Tensor) -> Tensor` closure that owns a generator seeded with `seed`, for APIs that take a
    /// plain transform. Each call advances the owned generator.
    ///
    /// ```swift
    /// let loader = DataLoader(train, batchSize: 32, transform: RandomHorizontalFlip().transform(seed: 1))
    /// ```
    public func transform(seed: UInt64) -> (Tensor) -> Tensor {
        let state = GeneratorBox(Generator(seed: seed))
        return { images in self.apply(images, generator: &state.generator) }
    }
}

/// A generator shared by the calls of one closure.
package final class GeneratorBox {
    var generator: Generator
    init(_ generator: Generator) { self.generator = generator }
}

/// Applies augmentations one after another, as `torchvision.transforms.Compose`.
///
/// ```swift
/// let augment = Compose(RandomCrop(size: 32, padding: 4), RandomHorizontalFlip(), RandomRotation(degrees: 10))
/// ```
public struct Compose: Augmentation {
    /// The augmentations, applied first to last.
    public let transforms: [any Augmentation]

    /// Chains `transforms`, applied first to last.
    public init(_ transforms: [any Augmentation]) { self.transforms = transforms }

    /// Chains `transforms`, applied first to last.
    public init(_ transforms: any Augmentation...) { self.init(transforms) }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        var result = images.detached()
        for transform in transforms { result = transform.apply(result, generator: &generator) }
        return result
    }
}

/// Mirrors each image left to right with probability `p`, as `RandomHorizontalFlip(p)`.
///
/// ```swift
/// let flipped = RandomHorizontalFlip(p: 1).apply(images, generator: &generator)   // always flips
/// ```
public struct RandomHorizontalFlip: Augmentation {
    /// The probability that an image is flipped.
    public let p: Double

    /// Flips each image with probability `p`.
    public init(p: Double = 0.5) {
        precondition((0...1).contains(p), "RandomHorizontalFlip: probability \(p) must lie in [0, 1]")
        self.p = p
    }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        let layout = ImageLayout(images, op: "RandomHorizontalFlip")
        let out = TensorStorage.uninitialized(count: images.count)
        for n in 0..<layout.samples {
            let flip = generator.nextUniform() < p
            let (source, target) = layout.sample(n, images.storage, out)
            if flip {
                Backends.current.flipHorizontal(source, target, layout.planes)
            } else {
                target.initialize(from: source, count: layout.sampleSize)
            }
        }
        return Tensor(shape: images.shape, storage: out)
    }
}

/// Mirrors each image top to bottom with probability `p`, as `RandomVerticalFlip(p)`.
///
/// ```swift
/// let flipped = RandomVerticalFlip(p: 0.5).apply(images, generator: &generator)
/// ```
public struct RandomVerticalFlip: Augmentation {
    /// The probability that an image is flipped.
    public let p: Double

    /// Flips each image with probability `p`.
    public init(p: Double = 0.5) {
        precondition((0...1).contains(p), "RandomVerticalFlip: probability \(p) must lie in [0, 1]")
        self.p = p
    }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        let layout = ImageLayout(images, op: "RandomVerticalFlip")
        let out = TensorStorage.uninitialized(count: images.count)
        for n in 0..<layout.samples {
            let flip = generator.nextUniform() < p
            let (source, target) = layout.sample(n, images.storage, out)
            if flip {
                Backends.current.flipVertical(source, target, layout.planes)
            } else {
                target.initialize(from: source, count: layout.sampleSize)
            }
        }
        return Tensor(shape: images.shape, storage: out)
    }
}

/// Pads each image with `padding` zeros on every side, then cuts a `size` window at a random
/// position, as `torchvision.transforms.RandomCrop(size, padding)`.
///
/// The window's top row is drawn uniformly from `0...(H + 2·padding − height)`, then its left
/// column likewise; the padded image is never materialized.
///
/// ```swift
/// let crop = RandomCrop(size: 32, padding: 4)        // the CIFAR-10 recipe
/// let batch = crop.apply(images, generator: &generator)   // [N, C, 32, 32]
/// ```
public struct RandomCrop: Augmentation {
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int
    /// The zeros added on each side before cropping.
    public let padding: Int

    /// A crop of `height × width` from the image padded by `padding` zeros.
    public init(height: Int, width: Int, padding: Int = 0) {
        precondition(height > 0 && width > 0 && padding >= 0,
                     "RandomCrop: size \(height)×\(width) must be positive and padding \(padding) non-negative")
        self.height = height
        self.width = width
        self.padding = padding
    }

    /// A square crop of `size × size` from the image padded by `padding` zeros.
    public init(size: Int, padding: Int = 0) { self.init(height: size, width: size, padding: padding) }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        let layout = ImageLayout(images, op: "RandomCrop")
        let spanY = layout.height + 2 * padding - height, spanX = layout.width + 2 * padding - width
        precondition(spanY >= 0 && spanX >= 0, "RandomCrop: a \(height)×\(width) crop does not fit images "
                     + "\(images.shape) padded by \(padding)")
        let outLayout = layout.resized(height: height, width: width)
        let out = TensorStorage.repeating(0, count: outLayout.count)
        for n in 0..<layout.samples {
            let top = generator.nextInt(below: spanY + 1), left = generator.nextInt(below: spanX + 1)
            Backends.current.shiftedCopy(images.storage.pointer + n * layout.sampleSize, layout.planes,
                                         out.pointer + n * outLayout.sampleSize, outLayout.planes,
                                         dy: top - padding, dx: left - padding)
        }
        return Tensor(shape: outLayout.shape(like: images), storage: out)
    }
}

/// Shifts each image by a random whole number of pixels, filling the uncovered border with
/// zeros, as the translation part of `torchvision.transforms.RandomAffine(0, translate=(a, b))`.
///
/// The horizontal shift is `round(u · horizontal · W)` for `u` uniform in [-1, 1], then the
/// vertical one likewise; positive shifts move the content right and down.
///
/// ```swift
/// let shift = RandomTranslation(maxFraction: 0.1)   // up to ±10% of the width and height
/// let moved = shift.apply(images, generator: &generator)
/// ```
public struct RandomTranslation: Augmentation {
    /// The largest horizontal shift, as a fraction of the width.
    public let horizontal: Double
    /// The largest vertical shift, as a fraction of the height.
    public let vertical: Double

    /// Shifts of up to `horizontal · W` and `vertical · H` pixels.
    public init(horizontal: Double, vertical: Double) {
        precondition((0...1).contains(horizontal) && (0...1).contains(vertical),
                     "RandomTranslation: fractions \(horizontal), \(vertical) must lie in [0, 1]")
        self.horizontal = horizontal
        self.vertical = vertical
    }

    /// Shifts of up to `maxFraction` of the width and of the height.
    public init(maxFraction: Double) { self.init(horizontal: maxFraction, vertical: maxFraction) }

    public func apply(_ images: Tensor, generator: inout Generator) -> Tensor {
        let layout = ImageLayout(images, op: "RandomTranslation")
        let out = TensorStorage.repeating(0, count: layout.count)
        let maxX = horizontal * Double(layout.width), maxY = vertical * Double(layout.height)
        for n in 0..<layout.samples {
            let shiftX = Int(((generator.nextUniform() * 2 - 1) * maxX).rounded())
            let shiftY = Int(((generator.nextUniform() * 2 - 1) * maxY).rounded())
            Backends.current.shiftedCopy(images.storage.pointer + n * layout.sampleSize, layout.planes,
                                         out.pointer + n * layout.sampleSize, layout.planes, dy: -shiftY, dx: -shiftX)
        }
        return Tensor(shape: images.shape, storage: out)
    }
}

/// The sizes of an NCHW batch, or of one CHW image seen as a batch of one.
package struct ImageLayout {
    let samples: Int, channels: Int, height: Int, width: Int
    let batched: Bool

    init(_ images: Tensor, op: String) {
        precondition(images.rank == 4 || images.rank == 3,
                     "\(op): expected an NCHW batch [N, C, H, W] or a CHW image [C, H, W], got shape \(images.shape)")
        let s = images.shape
        batched = images.rank == 4
        samples = batched ? s[0] : 1
        channels = s[s.count - 3]
        height = s[s.count - 2]
        width = s[s.count - 1]
    }

    private init(samples: Int, channels: Int, height: Int, width: Int, batched: Bool) {
        self.samples = samples
        self.channels = channels
        self.height = height
        self.width = width
        self.batched = batched
    }

    /// The planes of one image, as the backend's image kernels take them.
    var planes: ImagePlanes { ImagePlanes(channels: channels, height: height, width: width) }
    var planeSize: Int { height * width }
    var sampleSize: Int { channels * planeSize }
    var count: Int { samples * sampleSize }

    /// The same batch with images of another size.
    func resized(height: Int, width: Int) -> ImageLayout {
        ImageLayout(samples: samples, channels: channels, height: height, width: width, batched: batched)
    }

    /// The output shape, keeping the input's rank.
    func shape(like images: Tensor) -> [Int] {
        batched ? [samples, channels, height, width] : [channels, height, width]
    }

    /// Pointers to sample `n` of `source` and of `target`, both laid out as this batch.
    func sample(_ n: Int, _ source: TensorStorage,
                _ target: TensorStorage) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        (source.pointer + n * sampleSize, target.pointer + n * sampleSize)
    }
}
