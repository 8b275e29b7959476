import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct StandardizerTests {
    @Test func fitTakesColumnMeansAndPopulationDeviations() {
        let features = Tensor([[1, 10, 5], [3, 10, 7], [5, 10, 12]])
        let scaler = Standardizer.fit(features)
        #expect(scaler.mean == [3, 10, 8])
        // Population std: sqrt(8/3) for [1, 3, 5]; a constant column gets 1.
        #expect(abs(scaler.std[0] - Float((8.0 / 3).squareRoot())) < 1e-6)
        #expect(scaler.std[1] == 1)
        #expect(abs(scaler.std[2] - Float((26.0 / 3).squareRoot())) < 1e-6)
        let z = scaler.transform(features)
        #expect(z.shape == [3, 3])
        #expect(z[1, 0] == 0 && z[0, 1] == 0 && z[2, 1] == 0)
        #expect(abs(z[0, 0] + Float(1.5.squareRoot())) < 1e-6 && abs(z[2, 0] - Float(1.5.squareRoot())) < 1e-6)
    }

    @Test func transformedColumnsHaveZeroMeanAndUnitSpread() {
        var g = Generator(seed: 0)
        let features = Tensor.normal([500, 4], mean: 3, std: 2, generator: &g) * Tensor([1, 10, 0.1, 1000])
        let z = Standardizer.fit(features).transform(features)
        let means = z.mean(axis: 0).scalars, variances = z.variance(axis: 0, unbiased: false).scalars
        #expect(means.allSatisfy { abs($0) < 1e-4 })
        #expect(variances.allSatisfy { abs($0 - 1) < 1e-3 })
    }

    @Test func inverseTransformRoundTripsAndCodableKeepsStatistics() throws {
        let features = Tensor([[0.5, -2], [1.5, 4], [2.5, 7]])
        let scaler = Standardizer.fit(features)
        let back = scaler.inverseTransform(scaler.transform(features))
        #expect(zip(back.scalars, features.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        let decoded = try JSONDecoder().decode(Standardizer.self, from: JSONEncoder().encode(scaler))
        #expect(decoded == scaler)
        let manual = Standardizer(mean: [1, 2], std: [2, 4])
        #expect(manual.transform(Tensor([[3, 10]])).scalars == [1, 2])
        // A constant column made of a value with no exact binary form still counts as constant.
        #expect(Standardizer.fit(Tensor(shape: [3, 1], scalars: [0.1, 0.1, 0.1])).std == [1])
    }
}
