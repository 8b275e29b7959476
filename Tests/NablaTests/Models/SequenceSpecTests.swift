import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The `gru` and `embedding` spec layers, against the library's `GRU` and `Embedding`.
@Suite struct SequenceSpecTests {
    static let gruYAML = """
        input: [1, 28, 28]
        layers:
          - flatten: {start: 1, end: 2}
          - gru: {hidden: 32, layers: 2}
          - laststep
          - linear
        """

    @Test func gruSpecParsesWritesAndNamesItsStateLikePyTorch() throws {
        let spec = try ModelSpec.parse(Self.gruYAML, format: .yaml)
        #expect(spec.layers == [.flatten(start: 1, end: 2), .gru(hidden: 32, layers: 2), .lastStep, .linear(out: nil)])
        #expect(spec.text(format: .yaml).contains("  - gru: {hidden: 32, layers: 2}\n"))
        #expect(try ModelSpec.parse("{\"input\": [5, 3], \"layers\": [{\"GRU\": 8}]}", format: .json).layers == [.gru(hidden: 8)])
        let model = try spec.build(outputs: 10)
        #expect(model.layers.map(\.typeName) == ["Flatten", "GRU(28→32, 2 layers)", "LastStep", "Linear(32→10)"])
        // nn.GRU(28, 32, num_layers=2, batch_first=True): gates r, z, n stacked, 3·32 rows.
        #expect(model.namedState().map { "\($0.0) \($0.1.shape)" } == [
            "1.weight_ih_l0 [96, 28]", "1.weight_hh_l0 [96, 32]", "1.bias_ih_l0 [96]", "1.bias_hh_l0 [96]",
            "1.weight_ih_l1 [96, 32]", "1.weight_hh_l1 [96, 32]", "1.bias_ih_l1 [96]", "1.bias_hh_l1 [96]",
            "3.weight [10, 32]", "3.bias [10]",
        ])
        #expect(model.parameterCount == 3 * 32 * (28 + 32 + 2) + 3 * 32 * (32 + 32 + 2) + 32 * 10 + 10)
        let noBias = try ModelSpec(inputShape: [4, 3], layers: [.gru(hidden: 2, bias: false)]).build()
        #expect(noBias.namedParameters().map(\.0) == ["0.weight_ih_l0", "0.weight_hh_l0"])
    }

    @Test func gruSpecComputesWhatTheLibrarysGRUComputes() throws {
        let model = try ModelSpec.parse(Self.gruYAML, format: .yaml).build(outputs: 10)
        setFormulaWeights(model)
        let reference = Sequential {
            Flatten(startDim: 1, endDim: 2)
            GRU(inputSize: 28, hiddenSize: 32, numLayers: 2, batchFirst: true)
            LastStep()
            Linear(32, 10)
        }
        try reference.loadStateDict(model.stateDict())
        let x = formulaInput([1, 28, 28])
        let (ours, theirs) = (model(x), reference(x))
        #expect(ours.shape == [2, 10])
        #expect(ours.scalars == theirs.scalars)
        #expect(ours.scalars.contains { $0 != 0 })
    }

    @Test func gruProblemsNameTheLayer() {
        #expect(yamlError("input: [1, 28, 28]\nlayers:\n  - gru: 16\n")
                == "model.yaml:3: layer 0 (GRU ?→16) gets input [N, 1, 28, 28]; GRU needs a batch-first sequence [N, T, F]; add `flatten: {start: 1, end: 2}` before it to read image rows as time steps")
        #expect(yamlError("input: [5, 3]\nlayers:\n  - gru: {layers: 2}\n") == "model.yaml:3: layer 0: gru needs `hidden`, e.g. `gru: 128`")
        #expect(yamlError("input: [5, 3]\nlayers:\n  - gru: {hidden: 4, layers: 0}\n") == "model.yaml:3: layer 0 (GRU 3→4) has layers = 0; it must be in 1...16")
        #expect(yamlError("input: [5, 3]\nlayers:\n  - gru: {hidden: 4, dropout: 0.1}\n")
                == "model.yaml:3: layer 0: gru has no parameter \"dropout\"; its parameters are hidden, layers, bias")
        #expect(yamlError("input: [5, 3]\nlayers:\n  - gru: 4\n", outputs: 2).hasSuffix("add `laststep` after an lstm or gru, or `flatten`, to get one vector per sample"))
    }

    static let embeddingYAML = """
        input: [5]
        layers:
          - embedding: {count: 10, dim: 4}
          - gru: 6
          - laststep
          - linear: 3
        """

    @Test func embeddingSpecParsesWritesAndNamesItsStateLikePyTorch() throws {
        let spec = try ModelSpec.parse(Self.embeddingYAML, format: .yaml)
        #expect(spec.layers == [.embedding(count: 10, dim: 4), .gru(hidden: 6), .lastStep, .linear(out: 3)])
        #expect(spec.text(format: .json).contains("{\"embedding\": {\"count\": 10, \"dim\": 4}}"))
        #expect(try ModelSpec.parse(spec.text(format: .json), format: .json) == spec)
        let model = try spec.build(outputs: 3)
        // nn.Embedding(num_embeddings=10, embedding_dim=4): one weight [10, 4].
        #expect(model.namedState().map { "\($0.0) \($0.1.shape)" }.prefix(2) == ["0.weight [10, 4]", "1.weight_ih_l0 [18, 4]"])
        #expect(model.parameterCount == 10 * 4 + 3 * 6 * (4 + 6 + 2) + 6 * 3 + 3)
        #expect(model.layers[0].typeName == "Embedding(10, 4)")
    }

    @Test func embeddingUsesTheInputValuesAsRowIndices() throws {
        let model = try ModelSpec(inputShape: [4], layers: [.embedding(count: 10, dim: 3)]).build()
        #expect(try model.outputShape(for: [2, 4]) == [2, 4, 3])
        let table = try #require(model.layers[0] as? Embedding)
        let weight = table.weight.value.scalars
        let indices: [Float] = [0, 9, 3, 3, 7, 1, 0, 2]
        let out = model(Tensor(shape: [2, 4], scalars: indices))
        #expect(out.shape == [2, 4, 3])
        #expect(out.scalars == indices.flatMap { Array(weight[Int($0) * 3..<Int($0) * 3 + 3]) })
        let library = Embedding(10, 3)
        try library.loadStateDict(["weight": table.weight.value])
        #expect(library(Tensor(shape: [2, 4], scalars: indices)).scalars == out.scalars)
    }

    @Test func embeddingProblemsNameTheLayer() {
        #expect(yamlError("input: [5]\nlayers:\n  - embedding: 10\n")
                == "model.yaml:3: layer 0: embedding needs `dim`, e.g. `embedding: {count: 1000, dim: 32}`")
        #expect(yamlError("input: [1, 28, 28]\nlayers:\n  - embedding: {count: 10, dim: 4}\n")
                == "model.yaml:3: layer 0 (Embedding 10×4) gets input [N, 1, 28, 28]; it needs indices [N, T]; give `input` as [T], the sequence length")
        #expect(yamlError("input: [5]\nlayers:\n  - flatten\n  - embedding: {count: 10, dim: 4}\n")
                == "model.yaml:4: layer 1 (Embedding 10×4) reads the model's input as indices, so it must be the first layer; move it to the top of `layers`")
        #expect(yamlError("input: [5]\nlayers:\n  - embedding: {count: 0, dim: 4}\n")
                == "model.yaml:3: layer 0 (Embedding 0×4) has count = 0; it must be in 1...16777216")
        #expect(yamlError("input: [5]\nlayers:\n  - embedding: {count: 100000, dim: 65536}\n")
                == "model.yaml:3: layer 0 (Embedding 100000×65536) brings the model past 268435456 parameters; use smaller layers")
    }
}
