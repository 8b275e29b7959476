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
        let rate = dict[Optimizer.learningRateKey]
        #expect(rate?.item == Float(optimizer.learningRate))
        if c.args["groups"] == nil {   // PyTorch's one group holds every parameter; the fixture keeps only state
            #expect(dict["param_groups.0.params"]?.scalars == [0, 1])
            dict = dict.filter { !$0.key.hasPrefix("param_groups.") }
        }
        #expect(Set(dict.keys) == Set(c.state.keys), "\(c.name): state keys differ from PyTorch's")
        for (key, want) in c.state {
            let got = try #require(dict[key])
            #expect(got.shape == want.shape, "\(c.name): \(key) shape \(got.shape) vs \(want.shape)")
            if key.hasSuffix(".step") || key.hasPrefix("param_groups.") {   // counts, indices and Float32 settings: exact
                #expect(got.scalars.map(Double.init) == want.data, "\(c.name): \(key)")
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

    /// Two groups with their own rates and weight decays follow PyTorch's `param_groups`, and the
    /// second group really runs at its own rate: doubling it changes only the second parameter.
    @Test func groupsKeepTheirOwnSettings() throws {
        let c = try #require(Self.cases.first { $0.name == "adamw_two_groups" })
        let (_, optimizer) = replay(c)
        #expect(optimizer.groups.map(\.learningRate) == [0.01, 0.02])
        #expect(optimizer.groups.map(\.weightDecay) == [0.1, 0])
        #expect(optimizer.groups.map(\.indices) == [0..<1, 1..<2])
        #expect(Self.trajectoryError(c) <= 1e-5)
    }

    /// nanoGPT's split: rank ≥ 2 decays, vectors do not; a tied (repeated) parameter counts once.
    @Test func decayAndNoDecaySplitsByRank() {
        let matrix = Parameter(Tensor.zeros([3, 4])), bias = Parameter(Tensor.zeros([4])), kernel = Parameter(Tensor.zeros([2, 1, 3, 3]))
        let groups = ParameterGroup.decayAndNoDecay([matrix, bias, kernel, matrix], weightDecay: 0.1)
        #expect(groups.count == 2)
        #expect(groups[0].parameters.map(ObjectIdentifier.init) == [matrix, kernel].map(ObjectIdentifier.init))
        #expect(groups[1].parameters.map(ObjectIdentifier.init) == [ObjectIdentifier(bias)])
        #expect(groups.map(\.weightDecay) == [0.1, 0])
        let optimizer = AdamW(groups, learningRate: 1e-3, weightDecay: 0.5)
        #expect(optimizer.groups.map(\.weightDecay) == [0.1, 0])
        #expect(ParameterGroup.decayAndNoDecay([bias], weightDecay: 0.1).map(\.weightDecay) == [0])
    }

    /// A state dict saved with two groups loads only into the same grouping.
    @Test func groupStateRoundTripsAndRefusesOtherGroupings() throws {
        let c = try #require(Self.cases.first { $0.name == "adamw_two_groups" })
        let (_, optimizer) = replay(c)
        let saved = optimizer.stateDict()
        let p = [Parameter(Tensor.zeros([3, 4])), Parameter(Tensor.zeros([4]))]
        let same = makeOptimizer(c, p)
        try same.loadStateDict(saved)
        #expect(same.stateDict().mapValues(\.scalars) == saved.mapValues(\.scalars))
        let oneGroup = AdamW(p, learningRate: 0.01, weightDecay: 0.1)
        #expect(throws: OptimizerStateError.self) { try oneGroup.loadStateDict(saved) }
        let otherDecay = AdamW([ParameterGroup([p[0]]), ParameterGroup([p[1]], learningRate: 0.02, weightDecay: 0.01)],
                               learningRate: 0.01, weightDecay: 0.1)
        #expect { try otherDecay.loadStateDict(saved) } throws: { "\($0)".hasPrefix("param_groups.1.weight_decay: saved [0.0]") }
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
