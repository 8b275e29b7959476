import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct InitializerTests {
    func stats(_ t: Tensor) -> (mean: Double, std: Double, min: Float, max: Float) {
        let v = t.scalars.map(Double.init)
        let mean = v.reduce(0, +) / Double(v.count)
        let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
        return (mean, std, t.scalars.min()!, t.scalars.max()!)
    }

    static let schemes: [(String, Initializer, Double, Double)] = {
        let root3 = 3.0.squareRoot()
        var list: [(String, Initializer, Double, Double)] = []
        list.append(("uniform", .uniform(low: -2, high: 4), 1.0, 6 / (2 * root3)))
        list.append(("normal", .normal(mean: 0.5, std: 2), 0.5, 2.0))
        list.append(("xavierUniform", .xavierUniform(gain: 2), 0.0, 2 * (6.0 / 500).squareRoot() / root3))
        list.append(("xavierNormal", .xavierNormal, 0.0, (2.0 / 500).squareRoot()))
        list.append(("kaimingUniform", .kaimingUniform, 0.0, 2.0.squareRoot() * (3.0 / 300).squareRoot() / root3))
        list.append(("kaimingNormal fan_out", .kaimingNormal(a: 0, mode: .fanOut), 0.0, (2.0 / 200).squareRoot()))
        list.append(("kaimingNormal leaky", .kaimingNormal(a: 0.2, mode: .fanIn), 0.0, (2.0 / 1.04).squareRoot() / 300.0.squareRoot()))
        list.append(("torchDefault", .torchDefault, 0.0, 1 / 300.0.squareRoot() / root3))
        return list
    }()

    /// Each scheme's sample mean and standard deviation against the formula, on 200×300 samples.
    @Test func statisticsMatchTheFormula() {
        for (name, initializer, mean, std) in Self.schemes { check(name, initializer, mean, std) }
    }

    func check(_ name: String, _ initializer: Initializer, _ mean: Double, _ std: Double) {
        var g = Generator(seed: 11)
        let s = stats(initializer.tensor([200, 300], generator: &g))
        #expect(Swift.abs(s.mean - mean) < 0.02 * Swift.max(std, 0.1), "\(name): mean \(s.mean)")
        #expect(Swift.abs(s.std - std) / std < 0.02, "\(name): std \(s.std) vs \(std)")
    }

    @Test func constantsAndFans() {
        #expect(Initializer.constant(3).tensor([2, 2]).scalars == [3, 3, 3, 3])
        #expect(Initializer.zeros.tensor([3]).scalars == [0, 0, 0])
        #expect(Initializer.fans([16, 3, 5, 5]) == (fanIn: 75, fanOut: 400))
    }

    @Test func layerDefaultsFollowPyTorch() {
        Random.seed(5)
        let fc = Linear(400, 50)
        let bound = 1 / Float(400).squareRoot()
        #expect(fc.weight.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(fc.bias!.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(stats(fc.weight.value).std > Double(bound) * 0.5)
        let bn = BatchNorm2d(4)
        #expect(bn.weight!.value.scalars == [1, 1, 1, 1] && bn.bias!.value.scalars == [0, 0, 0, 0])
        #expect(Swift.abs(stats(Embedding(100, 100).weight.value).std - 1) < 0.03)
    }

    @Test func seededInitializationIsReproducible() {
        Random.seed(9)
        let a = Sequential { Linear(5, 4); Conv2d(1, 2, kernelSize: 3) }.stateDict()
        Random.seed(9)
        let b = Sequential { Linear(5, 4); Conv2d(1, 2, kernelSize: 3) }.stateDict()
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.allSatisfy { a[$0]!.scalars == b[$0]!.scalars })
    }

    @Test func reinitializeWeightsUsesTheScheme() {
        let model = Sequential { Linear(3, 2); ReLU(); Linear(2, 2) }
        model.initializeWeights(.constant(0.5))
        #expect(model.parameters[0].value.scalars == [Float](repeating: 0.5, count: 6))
        #expect(model.parameters[1].value.scalars == [0, 0])
    }
}
