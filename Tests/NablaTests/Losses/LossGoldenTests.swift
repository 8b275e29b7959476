import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Every loss against PyTorch golden values (Tests/Fixtures/losses.json): forward and input gradients.
@Suite struct LossGoldenTests {
    static let cases = Fixtures.load("losses")

    @Test(arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) throws {
        let inputs = c.inputs.map(\.tensor)
        let out = try #require(LossTable.apply(c.op, c.args, inputs), "no Swift mapping for op \(c.op)")
        let rtol = LossTable.transcendental.contains(c.op) ? 1e-4 : 1e-5
        expectMatchesGolden(c, inputs: inputs, output: out, rtol: rtol)
    }

    @Test func fixturesCoverEveryLoss() {
        let ops = Set(Self.cases.map(\.op))
        let expected: Set<String> = [
            "mse_loss", "l1_loss", "rmse_loss", "msle_loss", "mape_loss", "smooth_l1_loss", "huber_loss",
            "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
            "hinge_loss", "squared_hinge_loss", "exponential_loss", "multi_margin_loss",
            "entropy", "cross_entropy_between", "kl_divergence",
        ]
        #expect(ops == expected, "fixture ops differ: missing \(expected.subtracting(ops)), extra \(ops.subtracting(expected))")
    }

    @Test func everyReductionIsCovered() {
        for op in ["mse_loss", "binary_cross_entropy_with_logits", "cross_entropy", "multi_margin_loss", "hinge_loss"] {
            let reductions = Set(Self.cases.filter { $0.op == op }.map { LossTable.reduction($0.args) })
            #expect(reductions == Set(Reduction.allCases), "\(op) covers \(reductions)")
        }
    }
}
