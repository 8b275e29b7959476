import NablaCore
import NablaBackend

/// Which way round an image's brightness is. Fashion-MNIST and MNIST draw light objects on a dark
/// background; a photo or a scan is usually the reverse, and a model trained on the former reads
/// the latter as noise. The background is taken from the border, which objects seldom reach.
///
/// ```swift
/// let image = try PGM.read(contentsOf: url)                        // [1, 28, 28] in [0, 1]
/// let (input, inverted) = ImagePolarity.lightOnDark(image)         // 1 − x when the border is light
/// ```
public enum ImagePolarity {
    /// The mean of the outermost pixels of each channel of `image` ([C, H, W] or [H, W], in [0, 1]).
    public static func borderMean(_ image: Tensor) -> Double {
        precondition(image.rank == 2 || image.rank == 3, "ImagePolarity.borderMean: image \(image.shape) is not [C, H, W] or [H, W]")
        let (height, width) = (image.shape[image.rank - 2], image.shape[image.rank - 1])
        let channels = image.count / Swift.max(height * width, 1)
        var sum = 0.0, count = 0
        image.withUnsafeBufferPointer { x in
            for c in 0..<channels {
                for row in 0..<height {
                    let edgeRow = row == 0 || row == height - 1
                    for column in 0..<width where edgeRow || column == 0 || column == width - 1 {
                        sum += Double(x[(c * height + row) * width + column])
                        count += 1
                    }
                }
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    /// Whether `image` looks dark on light: its border's mean is above one half.
    public static func isDarkOnLight(_ image: Tensor) -> Bool { borderMean(image) > 0.5 }

    /// `image` as a light object on a dark background: `1 − image` when it is dark on light, else
    /// unchanged; `inverted` says which.
    public static func lightOnDark(_ image: Tensor) -> (image: Tensor, inverted: Bool) {
        isDarkOnLight(image) ? (1 - image, true) : (image, false)
    }
}
