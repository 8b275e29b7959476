import Testing
@testable import Nabla

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
        #expect(out.shape == c.output.shape, "\(c.name): shape \(out.shape) vs \(c.output.shape)")
        #expect(allClose(out.scalars, c.output.data, rtol: rtol, atol: 1e-6),
                "\(c.name): forward max rel error \(maxError(out.scalars, c.output.data))")
        guard let gradOutput = c.gradOutput else { return }
        let differentiable = inputs.filter(\.requiresGrad)
        let grads = gradients(of: (out * gradOutput.tensor).sum(), withRespectTo: differentiable)
        var next = 0
        for (i, want) in c.grads.enumerated() {
            guard let want else { continue }
            let got = grads[next]
            next += 1
            #expect(got.shape == want.shape, "\(c.name): grad \(i) shape \(got.shape) vs \(want.shape)")
            #expect(allClose(got.scalars, want.data, rtol: rtol, atol: 1e-6),
                    "\(c.name): grad \(i) max rel error \(maxError(got.scalars, want.data))")
        }
    }

    @Test func everyFixtureOpIsMapped() {
        let missing = Set(Self.cases.map(\.op)).filter { OpTable.apply($0, [:], []) == nil && !OpTable.known.contains($0) }
        #expect(missing.isEmpty, "ops without a Swift mapping: \(missing.sorted())")
    }
}
