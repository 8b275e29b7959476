/// The kernels behind the image augmentations; each handles the planes of one CHW image.
extension Kernels {
    /// Mirrors left to right: reverses each row of every plane.
    package static func flipHorizontal(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        let width = image.width
        for row in 0..<(image.channels * image.height) {
            let from = source + row * width, to = target + row * width
            for x in 0..<width { to[x] = from[width - 1 - x] }
        }
    }

    /// Mirrors top to bottom: reverses the order of the rows within each plane.
    package static func flipVertical(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ image: ImagePlanes) {
        let (height, width) = (image.height, image.width)
        for plane in 0..<image.channels {
            let base = plane * height * width
            for y in 0..<height {
                (target + base + y * width).initialize(from: source + base + (height - 1 - y) * width, count: width)
            }
        }
    }

    /// `target[c][y][x] = source[c][y + dy][x + dx]` where the source pixel exists; other target
    /// pixels are left as they are.
    package static func shiftedCopy(_ source: UnsafePointer<Float>, _ sourceImage: ImagePlanes,
                                    _ target: UnsafeMutablePointer<Float>, _ targetImage: ImagePlanes, dy: Int, dx: Int) {
        let firstX = Swift.max(0, -dx), endX = Swift.min(targetImage.width, sourceImage.width - dx)
        let firstY = Swift.max(0, -dy), endY = Swift.min(targetImage.height, sourceImage.height - dy)
        guard firstX < endX && firstY < endY else { return }
        for c in 0..<sourceImage.channels {
            let from = source + c * sourceImage.planeSize, to = target + c * targetImage.planeSize
            for y in firstY..<endY {
                (to + y * targetImage.width + firstX)
                    .update(from: from + (y + dy) * sourceImage.width + firstX + dx, count: endX - firstX)
            }
        }
    }

    /// Each target pixel takes the source pixel nearest to where `rotation` maps it; pixels that map
    /// outside the image are left as they are.
    package static func rotateNearest(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
                                      _ image: ImagePlanes, _ rotation: ImageRotation) {
        let width = image.width, height = image.height, plane = image.planeSize
        for y in 0..<height {
            for x in 0..<width {
                let point = rotation.source(x: x, y: y)
                let sx = Int(point.x.rounded()), sy = Int(point.y.rounded())
                guard sx >= 0 && sx < width && sy >= 0 && sy < height else { continue }
                let from = sy * width + sx, to = y * width + x
                for c in 0..<image.channels { target[c * plane + to] = source[c * plane + from] }
            }
        }
    }

    /// Each target pixel weighs the four source pixels around where `rotation` maps it by distance,
    /// missing ones counting as zero; pixels that map wholly outside the image are left as they are.
    package static func rotateBilinear(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
                                       _ image: ImagePlanes, _ rotation: ImageRotation) {
        let width = image.width, height = image.height, plane = image.planeSize
        for y in 0..<height {
            for x in 0..<width {
                let point = rotation.source(x: x, y: y)
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
                for c in 0..<image.channels {
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
