import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// The attention layer kinds in model specs: what they build, causality through a built model, and the errors.
@Suite struct AttentionSpecTests {
    static let text = """
        input: [5]
        layers:
          - embedding: {count: 9, dim: 8}
          - positional-embedding
          - transformer-encoder: {heads: 2, feedforward: 12, dropout: 0, gelu: true, prenorm: true, causal: true}
          - multihead-attention: {heads: 4, causal: true}
          - linear: 9
        """

    @Test func buildsTheLayersWithTheirSettings() throws {
        let model = try ModelSpec.parse(Self.text, format: .yaml).build()
        let block = try #require(model.layers[2] as? TransformerEncoderLayer)
        #expect(block.normFirst && block.activation == .gelu && block.isCausal && block.linear1.outFeatures == 12)
        let attention = try #require(model.layers[3] as? MultiheadAttention)
        #expect(attention.numHeads == 4 && attention.isCausal && attention.dropout == 0)
        #expect((model.layers[1] as? LearnedPositionalEmbedding)?.blockSize == 5)
        #expect(model.namedParameters().map(\.0).contains("2.self_attn.in_proj_weight"))
        #expect(model.namedParameters().map(\.0).contains("3.out_proj.bias"))
    }

    /// Position t's output depends on tokens 0…t only: changing the last token leaves the others alone.
    @Test func aCausalModelDoesNotLookAhead() throws {
        Random.seed(6)
        let model = try ModelSpec.parse(Self.text, format: .yaml).build()
        model.eval()
        let a = model(Tensor([[1, 2, 3, 4, 5]])).scalars, b = model(Tensor([[1, 2, 3, 4, 8]])).scalars
        #expect(Array(a[0..<36]) == Array(b[0..<36]))
        #expect(Array(a[36...]) != Array(b[36...]))
    }

    @Test func badSettingsAreNamed() {
        for (layer, message) in [("multihead-attention: 3", "does not divide the embedding size 8"),
                                 ("transformer-encoder: {heads: 2, dropout: 1.5}", "must be in [0, 1)"),
                                 ("positional-embedding: 3", "at least the sequence length 5")] {
            let spec = "input: [5]\nlayers:\n  - embedding: {count: 9, dim: 8}\n  - \(layer)\n"
            #expect { try ModelSpec.parse(spec, format: .yaml).build(outputs: 2) } throws: { error in
                "\(error)".contains(message)
            }
        }
        let flat = "input: [8]\nlayers:\n  - multihead-attention: 2\n"
        #expect { try ModelSpec.parse(flat, format: .yaml).build(outputs: 2) } throws: { "\($0)".contains("needs a sequence [N, T, E]") }
    }
}
