import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A batch of `n` distinct images [n, c, h, w] holding 1, 2, 3, … (no zeros, so zero fill shows).
private func ramp(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Tensor {
    Tensor.arange(1, Float(n * c * h * w + 1)).reshape([n, c, h, w])
}

/// Image `i` of `batch` padded by `pad` zeros and cut at (`top`, `left`) to `height × width`.
private func padCrop(_ batch: Tensor, _ i: Int, pad: Int, top: Int, left: Int, height: Int, width: Int) -> [Float] {
    batch.narrow(axis: 0, start: i, length: 1)
        .pad([(0, 0), (0, 0), (pad, pad), (pad, pad)])
        .narrow(axis: 2, start: top, length: height).narrow(axis: 3, start: left, length: width).scalars
}

@Suite struct AugmentationTests {
    @Test func horizontalFlipOfAKnownImage() {
        var g = Generator(seed: 0)
        let image = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(RandomHorizontalFlip(p: 1).apply(image, generator: &g).scalars == [3, 2, 1, 6, 5, 4])
        #expect(RandomHorizontalFlip(p: 0).apply(image, generator: &g).scalars == [1, 2, 3, 4, 5, 6])
        #expect(RandomVerticalFlip(p: 1).apply(image, generator: &g).scalars == [4, 5, 6, 1, 2, 3])
    }

    @Test func flippingTwiceIsTheIdentity() {
        var g = Generator(seed: 1)
        let batch = ramp(3, 2, 4, 5)
        for flip in [RandomHorizontalFlip(p: 1) as any Augmentation, RandomVerticalFlip(p: 1)] {
            let once = flip.apply(batch, generator: &g)
            #expect(once.scalars != batch.scalars)
            #expect(flip.apply(once, generator: &g).scalars == batch.scalars)
            #expect(once.shape == batch.shape)
        }
    }

    @Test func flipsDrawPerImage() {
        var g = Generator(seed: 2)
        let batch = ramp(64, 1, 1, 2)
        let out = RandomHorizontalFlip(p: 0.5).apply(batch, generator: &g)
        let flipped = (0..<64).map { out[$0, 0, 0, 0] > out[$0, 0, 0, 1] }
        #expect(flipped.filter { $0 }.count > 16 && flipped.filter { $0 }.count < 48)
        for i in 0..<64 {
            let pair = [batch[i, 0, 0, 0], batch[i, 0, 0, 1]]
            #expect([out[i, 0, 0, 0], out[i, 0, 0, 1]] == (flipped[i] ? pair.reversed() : pair))
        }
    }

    @Test func cropWithPaddingShiftsByTheDrawnOffsets() {
        let batch = ramp(4, 2, 5, 5)
        var g = Generator(seed: 7)
        let out = RandomCrop(size: 5, padding: 2).apply(batch, generator: &g)
        #expect(out.shape == [4, 2, 5, 5])
        var replay = Generator(seed: 7)
        var offsets: [(Int, Int)] = []
        for i in 0..<4 {
            let top = replay.nextInt(below: 5), left = replay.nextInt(below: 5)
            offsets.append((top, left))
            let image = Array(out.scalars[i * 50..<(i + 1) * 50])
            #expect(image == padCrop(batch, i, pad: 2, top: top, left: left, height: 5, width: 5))
        }
        #expect(Set(offsets.map { $0.0 * 5 + $0.1 }).count > 1)
    }

    @Test func cropOfAKnownImage() {
        // Seed 3's first draws pick the window; the expected values follow from them.
        var replay = Generator(seed: 3)
        let top = replay.nextInt(below: 3), left = replay.nextInt(below: 3)
        var g = Generator(seed: 3)
        let image = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let out = RandomCrop(size: 2, padding: 1).apply(image, generator: &g)
        var expected = [Float](repeating: 0, count: 4)
        for y in 0..<2 {
            for x in 0..<2 {
                let sy = y + top - 1, sx = x + left - 1
                if (0..<2).contains(sy) && (0..<2).contains(sx) { expected[y * 2 + x] = Float(sy * 2 + sx + 1) }
            }
        }
        #expect(out.scalars == expected)
        let smaller = RandomCrop(height: 1, width: 2).apply(image, generator: &g)
        #expect(smaller.shape == [1, 1, 1, 2] && (smaller.scalars == [1, 2] || smaller.scalars == [3, 4]))
        #expect(RandomCrop(size: 2).apply(image, generator: &g).scalars == [1, 2, 3, 4])
    }

    @Test func translationShiftsByWholePixelsWithZeroFill() {
        let batch = ramp(6, 1, 10, 10)
        var g = Generator(seed: 5)
        let out = RandomTranslation(maxFraction: 0.2).apply(batch, generator: &g)
        var replay = Generator(seed: 5)
        var moved = 0
        for i in 0..<6 {
            let dx = Int(((replay.nextUniform() * 2 - 1) * 2).rounded())
            let dy = Int(((replay.nextUniform() * 2 - 1) * 2).rounded())
            #expect(abs(dx) <= 2 && abs(dy) <= 2)
            if dx != 0 || dy != 0 { moved += 1 }
            let image = Array(out.scalars[i * 100..<(i + 1) * 100])
            #expect(image == padCrop(batch, i, pad: 2, top: 2 - dy, left: 2 - dx, height: 10, width: 10))
        }
        #expect(moved > 0)
        #expect(RandomTranslation(maxFraction: 0).apply(batch, generator: &g).scalars == batch.scalars)
    }

    @Test func rotationByZeroIsTheIdentity() {
        let batch = ramp(2, 3, 4, 5)
        var g = Generator(seed: 0)
        for interpolation in [RandomRotation.Interpolation.nearest, .bilinear] {
            let out = RandomRotation(degrees: 0...0, interpolation: interpolation).apply(batch, generator: &g)
            #expect(out.scalars == batch.scalars)
        }
    }

    @Test func quarterTurnOfASquareIsAFlippedTranspose() {
        let batch = ramp(2, 2, 5, 5)
        var g = Generator(seed: 0)
        let turned = RandomRotation(degrees: 90...90, interpolation: .nearest).apply(batch, generator: &g)
        // Counter-clockwise: out[y][x] = in[x][W-1-y], the transpose flipped top to bottom.
        let expected = RandomVerticalFlip(p: 1).apply(batch.transpose(2, 3), generator: &g)
        #expect(turned.scalars == expected.scalars)
        let known = RandomRotation(degrees: 90...90, interpolation: .nearest)
            .apply(Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4]), generator: &g)
        #expect(known.shape == [1, 2, 2] && known.scalars == [2, 4, 1, 3])
        let bilinear = RandomRotation(degrees: 90...90).apply(batch, generator: &g)
        #expect(zip(bilinear.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        let halfTurn = RandomRotation(degrees: 180...180, interpolation: .nearest).apply(batch, generator: &g)
        #expect(halfTurn.scalars == Compose(RandomHorizontalFlip(p: 1), RandomVerticalFlip(p: 1))
            .apply(batch, generator: &g).scalars)
    }

    @Test func rotationFillsWithZerosAndBlendsBilinearly() {
        var g = Generator(seed: 0)
        let ones = Tensor.ones([1, 1, 9, 9])
        let out = RandomRotation(degrees: 45...45, interpolation: .nearest).apply(ones, generator: &g)
        #expect(out[0, 0, 0, 0] == 0 && out[0, 0, 8, 8] == 0 && out[0, 0, 4, 4] == 1 && out[0, 0, 4, 0] == 1)
        let smooth = RandomRotation(degrees: 45...45).apply(ones, generator: &g)
        #expect(smooth[0, 0, 4, 4] == 1 && smooth[0, 0, 0, 0] == 0)
        #expect(smooth.scalars.contains { $0 > 0.05 && $0 < 0.95 })
        #expect(smooth.scalars.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-6 })
    }

    @Test func rotationAnglesStayInRangeAndDifferPerImage() {
        // A ray from the centre to the right edge; the centroid of its rotated pixels shows the angle.
        var scalars = [Float](repeating: 0, count: 16 * 21 * 21)
        for i in 0..<16 { for x in 10..<21 { scalars[i * 441 + 10 * 21 + x] = 1 } }
        let batch = Tensor(shape: [16, 1, 21, 21], scalars: scalars)
        var g = Generator(seed: 9)
        let out = RandomRotation(degrees: 30, interpolation: .nearest).apply(batch, generator: &g)
        var angles: [Double] = []
        for i in 0..<16 {
            let lit = (0..<441).filter { out.scalars[i * 441 + $0] == 1 }
            let right = lit.map { Double($0 % 21 - 10) }.reduce(0, +), up = lit.map { Double(10 - $0 / 21) }.reduce(0, +)
            #expect(lit.count >= 8 && lit.count <= 22)
            angles.append(atan2(up, right) * 180 / Double.pi)
        }
        #expect(angles.allSatisfy { abs($0) <= 33 })
        #expect(angles.contains { $0 > 5 } && angles.contains { $0 < -5 })
        #expect(Set(angles.map { Int($0.rounded()) }).count > 4)
    }

    @Test func composeAppliesInOrderAndSeedsReproduce() {
        let batch = ramp(5, 1, 6, 6)
        let augment = Compose(RandomCrop(size: 4, padding: 1), RandomHorizontalFlip(), RandomRotation(degrees: 10))
        var g1 = Generator(seed: 4), g2 = Generator(seed: 4), g3 = Generator(seed: 5)
        let a = augment.apply(batch, generator: &g1), b = augment.apply(batch, generator: &g2)
        #expect(a.shape == [5, 1, 4, 4] && a.scalars == b.scalars)
        #expect(augment.apply(batch, generator: &g3).scalars != a.scalars)
        #expect(Compose([RandomHorizontalFlip(p: 1), RandomHorizontalFlip(p: 1)]).apply(batch, generator: &g1).scalars
            == batch.scalars)
        let first = augment.transform(seed: 8), second = augment.transform(seed: 8)
        let x1 = first(batch), x2 = first(batch)
        #expect(x1.scalars == second(batch).scalars && x1.scalars != x2.scalars)
        Random.seed(3)
        let fromDefault = augment.apply(batch)
        Random.seed(3)
        #expect(augment.apply(batch).scalars == fromDefault.scalars)
    }
}
