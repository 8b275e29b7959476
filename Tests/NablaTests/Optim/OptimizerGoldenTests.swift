import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Optimizer trajectories and final state against torch.optim (Tests/Fixtures/optim.json): the same
/// gradients PyTorch saw are fed in, and the parameters after every step must agree within 1e-5.
@Suite struct OptimizerGoldenTests {
    static let optimizers: Set<String> = ["sgd", "adagrad", "rmsprop", "adam", "adamw"]
    static let cases = OptimFixtures.cases(optimizers)
    static let width = 16  // [3, 4] + [4] parameters, flattened

    /// The worst error over every step of one case.
    static func trajectoryError(_ c: OptimCase) -> Double {
        let (trajectory, _) = replay(c)
        return trajectory.enumerated().map { step, got in
            maxScaledError(got, Array(c.output.data[(step * width)..<((step + 1) * width)]))
        }.max() ?? .infinity
    }

    @Test(arguments: cases)
    func trajectoryMatchesPyTorch(_ c: OptimCase) {
        let (trajectory, _) = replay(c)
        #expect(trajectory.count == c.int("steps"))
        #expect(c.output.data.count == trajectory.count * Self.width)
        let error = Self.trajectoryError(c)
        #expect(error <= 1e-5, "\(c.name): max error \(error) vs PyTorch")
    }

    @Test(arguments: cases)
    func finalStateMatchesPyTorch(_ c: OptimCase) throws {
        let (_, optimizer) = replay(c)
        var dict = optimizer.stateDict()
        let rate = dict.removeValue(forKey: Optimizer.learningRateKey)
        #expect(rate?.item == Float(optimizer.learningRate))
        #expect(Set(dict.keys) == Set(c.state.keys), "\(c.name): state keys differ from PyTorch's")
        for (key, want) in c.state {
            let got = try #require(dict[key])
            #expect(got.shape == want.shape, "\(c.name): \(key) shape \(got.shape) vs \(want.shape)")
            if key.hasSuffix(".step") {
                #expect(Double(got.item) == want.data[0], "\(c.name): \(key)")
            } else {
                #expect(allClose(got.scalars, want.data, rtol: 1e-4, atol: 1e-7),
                        "\(c.name): \(key) max rel error \(maxError(got.scalars, want.data))")
            }
        }
    }

    /// The worst trajectory error of each optimizer over all its cases stays within 1e-5.
    @Test(arguments: ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
    func worstErrorPerOptimizer(_ op: String) {
        let cases = Self.cases.filter { $0.op == op }
        #expect(cases.count >= 2, "too few \(op) cases")
        #expect(cases.allSatisfy { $0.int("steps") >= 20 })
        let worst = cases.map(Self.trajectoryError).max() ?? .infinity
        #expect(worst <= 1e-5, "\(op): worst trajectory error \(worst) vs PyTorch")
    }

    /// A case that skips gradients really leaves that parameter untouched on those steps.
    @Test func skippedParameterStaysPut() throws {
        let c = try #require(Self.cases.first { $0.name == "adam_skip_lr_change" })
        let (trajectory, _) = replay(c)
        // Parameter 0 has no gradient at steps 5 and 6: its 12 values equal those after step 4.
        #expect(Array(trajectory[5][0..<12]) == Array(trajectory[4][0..<12]))
        #expect(Array(trajectory[6][0..<12]) == Array(trajectory[4][0..<12]))
        #expect(Array(trajectory[5][12..<16]) != Array(trajectory[4][12..<16]))
    }
}
