import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// `MultiheadAttention` and `TransformerEncoderLayer` against `torch.nn` (attention.json): PyTorch's weights
/// loaded through their state-dict names, then the output, every input gradient and every parameter gradient;
/// and gradcheck on the same configurations.
@Suite struct AttentionLayerGoldenTests {
    static let cases = Fixtures.load("attention").filter { $0.op == "mha" || $0.op == "encoder" }

    /// A case's module, its call on (data, masks by name), and the parameter names in PyTorch's order.
    struct Setup {
        let module: Module
        let run: ([Tensor], [String: MultiheadAttentionMask]) -> Tensor
    }

    static func setup(_ c: FixtureCase) -> Setup {
        let a = c.args
        let causal = a["is_causal"]?.bool ?? false
        if c.op == "mha" {
            let mha = MultiheadAttention(embedDim: a["embed_dim"]!.int!, numHeads: a["num_heads"]!.int!, bias: a["bias"]!.bool!)
            let needWeights = a["need_weights"]!.bool!
            return Setup(module: mha) { x, masks in
                let (q, k, v) = x.count == 1 ? (x[0], x[0], x[0]) : (x[0], x[1], x[2])
                let (out, weights) = mha(query: q, key: k, value: v, keyPaddingMask: masks["key_padding_mask"],
                                         attnMask: masks["attn_mask"], needWeights: needWeights, isCausal: causal)
                return needWeights ? Tensor.cat([out.flatten(), weights!.flatten()]) : out
            }
        }
        let activation = TransformerEncoderLayer.FeedforwardActivation(rawValue: a["activation"]!.stringValue!)!
        let layer = TransformerEncoderLayer(dModel: a["d_model"]!.int!, nHead: a["nhead"]!.int!, dimFeedforward: a["dim_feedforward"]!.int!,
                                            dropout: 0, activation: activation, normFirst: a["norm_first"]!.bool!)
        return Setup(module: layer) { x, masks in
            layer(x[0], srcMask: masks["src_mask"], srcKeyPaddingMask: masks["src_key_padding_mask"], isCausal: causal)
        }
    }

    /// The data tensors and the masks by name, from the case's inputs.
    static func dataAndMasks(_ c: FixtureCase) -> ([Tensor], [String: MultiheadAttentionMask]) {
        let dataCount = c.args["data"]!.int!
        guard case .list(let specs) = c.args["masks"]! else { return ([], [:]) }
        var masks: [String: MultiheadAttentionMask] = [:]
        for (i, spec) in specs.enumerated() {
            guard case .object(let fields) = spec else { continue }
            let t = c.inputs[dataCount + i].tensor
            masks[fields["name"]!.stringValue!] = fields["kind"]!.stringValue! == "masked" ? .masked(t) : .additive(t)
        }
        return (c.inputs.prefix(dataCount).map(\.tensor), masks)
    }

    /// Loads the case's parameters by state-dict name (strictly, so every name must match PyTorch's).
    static func loadWeights(_ c: FixtureCase, into module: Module) throws {
        let names = c.args["params"]!.stringList!
        let first = c.inputs.count - names.count
        try module.loadStateDict(Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, c.inputs[first + $0].tensor.detached()) }))
    }

    @Test("matches PyTorch: output, input and parameter gradients", arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) throws {
        let s = Self.setup(c)
        try Self.loadWeights(c, into: s.module)
        #expect(s.module.namedParameters().map(\.0) == c.args["params"]!.stringList!, "\(c.name): parameter names or order")
        let (data, masks) = Self.dataAndMasks(c)
        let parameters = Dictionary(uniqueKeysWithValues: s.module.namedParameters())
        let inputs = data + c.inputs[data.count..<(data.count + masks.count)].map(\.tensor)
            + c.args["params"]!.stringList!.map { parameters[$0]!.value }
        // atol 1e-5: gradients that cancel to exactly 0 in PyTorch's float64 (the key projection's bias, which
        // shifts every score of a row alike) keep float32 rounding of ~1e-6 next to values ~10.
        expectMatchesGolden(c, inputs: inputs, output: s.run(data, masks), rtol: c.rtol ?? 1e-5, atol: 1e-5)
    }

    /// The case's module with its masks bound, as a module of the first data input, for gradcheck.
    final class Bound: Module {
        let inner: Module
        let body: (Tensor) -> Tensor
        init(_ inner: Module, _ body: @escaping (Tensor) -> Tensor) {
            (self.inner, self.body) = (inner, body)
            super.init()
        }
        override func forward(_ input: Tensor) -> Tensor { body(input) }
    }

    /// With PyTorch's initialisation rather than the fixture's N(0, 0.5²) weights, which make float32 finite
    /// differences too noisy to say anything; eps 1e-3, so that a nudge seldom crosses a ReLU kink.
    @Test("agrees with finite differences (input and every parameter)", arguments: cases)
    func gradcheckPasses(_ c: FixtureCase) throws {
        Random.seed(17)
        let s = Self.setup(c)
        let (data, masks) = Self.dataAndMasks(c)
        let bound = Bound(s.module) { x in s.run([x] + data.dropFirst().map { $0.detached() }, masks) }
        let result = gradcheck(bound, input: data[0], eps: 1e-3, atol: 2e-3)
        #expect(result.passed, "\(c.name): \(result)")
    }

    @Test func fixturesCoverTheLayerVariants() {
        let names = Set(Self.cases.map(\.name))
        for wanted in ["mha_key_padding", "mha_attn_mask_bool", "mha_attn_mask_float_3d_padding", "mha_cross_weights", "mha_causal",
                       "encoder_post_relu", "encoder_pre_relu", "encoder_post_gelu", "encoder_pre_gelu"] {
            #expect(names.contains(wanted), "attention.json lacks \(wanted)")
        }
    }
}
