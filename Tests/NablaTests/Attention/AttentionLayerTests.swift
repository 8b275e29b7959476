import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// The attention layers beyond the golden values: PyTorch's initialisation and names, the fused path against
/// the composed one, dropout, and the positional layers.
@Suite struct AttentionLayerTests {
    @Test func multiheadAttentionInitialisesAsPyTorch() {
        Random.seed(1)
        let mha = MultiheadAttention(embedDim: 16, numHeads: 4)
        #expect(mha.namedParameters().map(\.0) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        #expect(mha.inProjWeight.shape == [48, 16] && mha.outProj.weight.shape == [16, 16])
        // Xavier-uniform over [3E, E]: U(−√(6/(3E + E)), √(6/(3E + E))), spread over most of the range.
        let bound = Float(6.0 / 64).squareRoot(), w = mha.inProjWeight.value.scalars
        #expect(w.allSatisfy { Swift.abs($0) <= bound } && w.max()! > 0.9 * bound && w.min()! < -0.9 * bound)
        #expect(mha.inProjBias!.value.scalars.allSatisfy { $0 == 0 } && mha.outProj.bias!.value.scalars.allSatisfy { $0 == 0 })
        // out_proj keeps Linear's default: U(−1/√E, 1/√E).
        #expect(mha.outProj.weight.value.scalars.allSatisfy { Swift.abs($0) <= 0.25 })
        let noBias = MultiheadAttention(embedDim: 4, numHeads: 2, bias: false)
        #expect(noBias.namedParameters().map(\.0) == ["in_proj_weight", "out_proj.weight"])
    }

    @Test func transformerEncoderLayerHasPyTorchNames() {
        let layer = TransformerEncoderLayer(dModel: 8, nHead: 2, dimFeedforward: 16)
        #expect(layer.namedParameters().map(\.0) == [
            "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
        ])
        #expect(layer.dropout.p == 0.1 && layer.activation == .relu && !layer.normFirst)
    }

    /// The fused kernel (no weights) and the composed ops (weights) give one output, with every mask kind.
    @Test func fusedAndComposedPathsAgree() {
        Random.seed(2)
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2)
        var g = Generator(seed: 3)
        let x = Tensor.normal([2, 5, 8], generator: &g), memory = Tensor.normal([2, 6, 8], generator: &g)
        let padding = MultiheadAttentionMask.masked(Tensor([[0, 0, 1, 0, 1, 1], [0, 0, 0, 0, 0, 1]]))
        let attn = MultiheadAttentionMask.additive(Tensor.normal([5, 6], generator: &g))
        for causal in [false, true] {
            let fused = mha(query: x, key: memory, value: memory, keyPaddingMask: padding, attnMask: attn, needWeights: false, isCausal: causal)
            let composed = mha(query: x, key: memory, value: memory, keyPaddingMask: padding, attnMask: attn, isCausal: causal)
            #expect(fused.weights == nil && composed.weights!.shape == [2, 5, 6])
            #expect(allClose(fused.output.scalars, composed.output.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6))
            // Each query's weights sum to 1 and are 0 on padded keys.
            let w = composed.weights!.scalars
            for row in 0..<10 { #expect(Swift.abs(w[row * 6..<(row + 1) * 6].reduce(0, +) - 1) < 1e-5) }
            #expect(w[2] == 0 && w[4] == 0 && w[5] == 0)
        }
        #expect(mha(x).scalars == mha(query: x, key: x, value: x, needWeights: false).output.scalars)
    }

    @Test func dropoutActsOnlyInTraining() {
        Random.seed(4)
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, dropout: 0.5)
        let x = Tensor.normal([2, 6, 8])
        let training = mha(x)
        mha.eval()
        let evaluation = mha(x), again = mha(query: x, key: x, value: x).output
        #expect(training.scalars != evaluation.scalars)
        #expect(allClose(evaluation.scalars, again.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6))
        let block = TransformerEncoderLayer(dModel: 8, nHead: 2, dimFeedforward: 8, dropout: 0.3, normFirst: true)
        block.eval()
        #expect(block(x).scalars == block(x).scalars)
    }

    @Test func learnedPositionsAddRowsFromTheOffset() {
        Random.seed(5)
        let positions = LearnedPositionalEmbedding(blockSize: 6, embedDim: 3)
        #expect(positions.namedParameters().map(\.0) == ["weight"])
        let x = Tensor.zeros([2, 2, 3])
        let w = positions.weight.value.scalars
        #expect(positions(x).scalars == Array(w[0..<6] + w[0..<6]))
        let shifted = positions(x, offset: 4)
        #expect(shifted.scalars == Array(w[12..<18] + w[12..<18]))
        shifted.sum().backward()
        #expect(positions.weight.grad!.scalars == [Float](repeating: 0, count: 12) + [Float](repeating: 2, count: 6))
    }

    /// Against the PyTorch tutorial's formula: div_term = exp(2i·(−ln 10000 / d)).
    @Test func sinusoidalPositionsMatchTheStandardTable() {
        for d in [6, 7] {
            let table = SinusoidalPositionalEncoding.table(positions: 3..<8, embedDim: d).scalars
            for (row, p) in (3..<8).enumerated() {
                for i in 0..<d {
                    let divTerm = Foundation.exp(Double(2 * (i / 2)) * -Foundation.log(10000.0) / Double(d))
                    let want = i % 2 == 0 ? Foundation.sin(Double(p) * divTerm) : Foundation.cos(Double(p) * divTerm)
                    #expect(Swift.abs(Double(table[row * d + i]) - want) < 1e-6, "d \(d) position \(p) index \(i)")
                }
            }
        }
        let encoding = SinusoidalPositionalEncoding(embedDim: 4)
        #expect(encoding.namedParameters().isEmpty && encoding.namedBuffers().isEmpty)
        let x = Tensor.ones([1, 2, 4])
        #expect(encoding(x, offset: 0).scalars[0..<4] == [1, 2, 1, 2])   // position 0: sin 0, cos 0
        #expect(encoding(x).scalars == encoding(x, offset: 0).scalars)
    }
}
