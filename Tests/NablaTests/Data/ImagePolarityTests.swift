import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary

@Suite struct ImagePolarityTests {
    /// A Fashion-MNIST-like image: a bright 12×10 patch in the middle of a dark 28×28 ground.
    static func lightOnDark() -> Tensor {
        var pixels = [Float](repeating: 0.02, count: 28 * 28)
        for row in 8..<20 { for column in 9..<19 { pixels[row * 28 + column] = 0.9 } }
        pixels[0] = 0.6   // a stray light pixel on the border does not flip the verdict
        return Tensor(shape: [1, 28, 28], scalars: pixels)
    }

    @Test func lightOnDarkImagesAreKept() {
        let image = Self.lightOnDark()
        #expect(abs(ImagePolarity.borderMean(image) - (0.02 * 107 + 0.6) / 108) < 1e-6)
        let (kept, inverted) = ImagePolarity.lightOnDark(image)
        #expect(!inverted && kept.scalars == image.scalars)
    }

    @Test func darkOnLightImagesAreInvertedBack() {
        let image = Self.lightOnDark()
        let scan = 1 - image   // a dark object on white paper
        #expect(ImagePolarity.isDarkOnLight(scan) && !ImagePolarity.isDarkOnLight(image))
        let (restored, inverted) = ImagePolarity.lightOnDark(scan)
        #expect(inverted)
        for (a, b) in zip(restored.scalars, image.scalars) { #expect(abs(a - b) < 1e-6) }
        #expect(ImagePolarity.isDarkOnLight(Tensor(shape: [3, 4], scalars: [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1])))
    }
}
