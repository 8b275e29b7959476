import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Every op against PyTorch golden values (Tests/Fixtures/ops.json): forward and input gradients.
@Suite struct OpGoldenTests {
    static let cases = Fixtures.load("ops")

    /// Ops whose float32 evaluation reduces a transcendental function get 1e-4 relative.
    static let transcendental: Set<String> = ["exp", "log", "sqrt", "tanh", "sigmoid", "gelu", "silu", "softplus", "sin", "cos", "elu",
                                              "pow", "pow_scalar", "softmax", "log_softmax", "logsumexp"]

    @Test(arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) throws {
        let inputs = c.inputs.map(\.tensor)
        let out = try #require(OpTable.apply(c.op, c.args, inputs), "no Swift mapping for op \(c.op)")
        let rtol = Self.transcendental.contains(c.op) ? 1e-4 : 1e-5
        expectMatchesGolden(c, inputs: inputs, output: out, rtol: rtol)
    }

    @Test func everyFixtureOpIsMapped() {
        let missing = Set(Self.cases.map(\.op)).filter { OpTable.apply($0, [:], []) == nil && !OpTable.known.contains($0) }
        #expect(missing.isEmpty, "ops without a Swift mapping: \(missing.sorted())")
    }
}
