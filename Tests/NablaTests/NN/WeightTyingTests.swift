import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// A parameter shared by two modules (a token embedding tied to the output head), as PyTorch handles it:
/// `parameters` lists it once, the optimizer updates it once, the state dict holds it under both names,
/// and loading such a state dict works.
@Suite struct WeightTyingTests {
    final class TiedLanguageModel: Module {
        let wte: Embedding
        let head: Linear
        init(vocabulary: Int = 7, dim: Int = 4) {
            wte = Embedding(vocabulary, dim)
            head = Linear(weight: wte.weight, bias: nil)
            super.init()
        }
        override func forward(_ input: Tensor) -> Tensor { head(wte(input)) }
    }

    static let tokens = Tensor([[1, 3, 3, 6], [0, 2, 5, 1]])
    static let targets = Tensor([3, 3, 6, 0, 2, 5, 1, 4])

    static func loss(_ model: Module) -> Tensor { crossEntropy(model(tokens).reshape([8, 7]), targets) }

    @Test func parametersListATiedWeightOnce() {
        Random.seed(1)
        let model = TiedLanguageModel()
        #expect(model.namedParameters().map(\.0) == ["wte.weight", "head.weight"])
        #expect(model.parameters.count == 1 && model.parameterCount == 28)
        #expect(penalizedParameters(model).map(\.0) == ["wte.weight"])
        #expect(Set(model.stateDict().keys) == ["wte.weight", "head.weight"])
    }

    /// One SGD step moves the weight by the sum of both uses' gradients, once.
    @Test func aTiedModelTrainsAStep() {
        Random.seed(2)
        let model = TiedLanguageModel()
        let before = model.wte.weight.value.scalars
        // The gradient of the same loss with the one weight as an explicit leaf used twice.
        let w = model.wte.weight.value.detached().requiringGrad()
        let explicit = crossEntropy(w.indexSelect(axis: 0, index: Self.tokens.flatten()).matmul(w, transB: true), Self.targets)
        let want = gradients(of: explicit, withRespectTo: [w])[0].scalars
        let optimizer = SGD(model.namedParameters().map(\.1), learningRate: 0.5)   // listed twice: deduplicated
        #expect(optimizer.parameters.count == 1)
        optimizer.zeroGrad()
        Self.loss(model).backward()
        optimizer.step()
        let after = model.head.weight.value.scalars
        #expect(model.head.weight === model.wte.weight)
        for i in before.indices { #expect(Swift.abs(after[i] - (before[i] - 0.5 * want[i])) < 1e-6) }
        let adam = AdamW(model.parameters, learningRate: 1e-2)
        for _ in 0..<3 { adam.zeroGrad(); Self.loss(model).backward(); adam.step() }
        #expect(adam.state(at: 0).count > 0)
    }

    @Test func aTiedCheckpointSavesBothNamesAndReloads() throws {
        Random.seed(3)
        let model = TiedLanguageModel()
        let optimizer = Adam(model.parameters, learningRate: 0.05)
        optimizer.zeroGrad()
        Self.loss(model).backward()
        optimizer.step()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tied-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(model.stateDict(), to: url)
        let saved = try Safetensors.read(contentsOf: url).tensors
        #expect(Set(saved.keys) == ["wte.weight", "head.weight"] && saved["wte.weight"]!.scalars == saved["head.weight"]!.scalars)
        let restored = TiedLanguageModel()
        try restored.loadStateDict(saved)
        #expect(restored.head.weight === restored.wte.weight)
        #expect(restored.wte.weight.value.scalars == model.wte.weight.value.scalars)
        #expect(Self.loss(restored).item == Self.loss(model).item)
    }

    /// Two names that disagree: both load into the one tensor, in model order, so the later name wins, as in PyTorch.
    @Test func theLaterNameWinsWhenTheyDisagree() throws {
        let model = TiedLanguageModel(vocabulary: 2, dim: 2)
        try model.loadStateDict(["wte.weight": Tensor([[1, 2], [3, 4]]), "head.weight": Tensor([[5, 6], [7, 8]])])
        #expect(model.wte.weight.value.scalars == [5, 6, 7, 8])
    }
}
