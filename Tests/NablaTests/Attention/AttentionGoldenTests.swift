import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// `scaledDotProductAttention` against PyTorch's `F.scaled_dot_product_attention` (attention.json, made by
/// Tests/Fixtures/fixtures_attention.py) and against finite differences, for every mask variant.
@Suite struct AttentionGoldenTests {
    static let cases = Fixtures.load("attention").filter { $0.op == "sdpa" }

    /// The call a case describes, on its inputs [q, k, v] (+ mask).
    static func attend(_ c: FixtureCase, _ t: [Tensor]) -> Tensor {
        let mask: AttentionMask? = switch c.args["mask"]?.stringValue {
        case "additive": .additive(t[3])
        case "allowed": .allowed(t[3])
        case nil: nil
        case let other?: preconditionFailure("\(c.name): unknown mask kind \(other)")
        }
        return scaledDotProductAttention(query: t[0], key: t[1], value: t[2], mask: mask,
                                         isCausal: c.args["is_causal"]?.bool ?? false, scale: c.args["scale"]?.float)
    }

    @Test("matches PyTorch: output, dq, dk, dv (and the mask's gradient)", arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) {
        let inputs = c.inputs.map(\.tensor)
        expectMatchesGolden(c, inputs: inputs, output: Self.attend(c, inputs), rtol: c.rtol ?? 1e-5)
    }

    @Test("agrees with finite differences", arguments: cases)
    func gradcheckPasses(_ c: FixtureCase) {
        let inputs = c.inputs.map(\.tensor)
        let result = gradcheck({ Self.attend(c, $0) }, inputs: inputs, eps: 1e-2, atol: 2e-3, rtol: 1e-2)
        #expect(result.passed, "\(c.name): \(result)")
    }

    @Test func theFixturesCoverEveryVariant() {
        let names = Set(Self.cases.map(\.name))
        for wanted in ["sdpa_plain", "sdpa_causal", "sdpa_additive", "sdpa_allowed", "sdpa_cross_tq_lt_tk", "sdpa_value_dim",
                       "sdpa_causal_cache", "sdpa_fully_masked_row"] {
            #expect(names.contains(wanted), "attention.json lacks \(wanted)")
        }
    }
}
