import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A custom model written the way a user would, with named children and a list of layers.
final class TwoTower: Module {
    let fc1 = Linear(4, 3)
    let layers: [Module] = [Linear(3, 3), ReLU(), BatchNorm1d(3)]
    let head = Sequential { Linear(3, 2) }
    override func forward(_ input: Tensor) -> Tensor { head(layers.reduce(fc1(input)) { $1($0) }) }
}

@Suite struct ModuleTests {
    @Test func stateDictNamesFollowPyTorch() {
        let model = TwoTower()
        #expect(model.namedParameters().map(\.0) == ["fc1.weight", "fc1.bias", "layers.0.weight", "layers.0.bias",
                                                       "layers.2.weight", "layers.2.bias", "head.0.weight", "head.0.bias"])
        #expect(model.namedBuffers().map(\.0) == ["layers.2.running_mean", "layers.2.running_var", "layers.2.num_batches_tracked"])
        let seq = Sequential { Linear(2, 2); ReLU(); Linear(2, 1, bias: false) }
        #expect(seq.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight"])
        #expect(seq.parameterCount == 4 + 2 + 2)
    }

    @Test func trainEvalReachesEverySublayer() {
        let model = TwoTower()
        model.eval()
        #expect(model.modules().allSatisfy { !$0.1.isTraining })
        model.train()
        #expect(model.modules().allSatisfy { $0.1.isTraining })
    }

    @Test func summaryListsShapesAndCounts() {
        let model = Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: .same)
            ReLU()
            MaxPool2d(2)
            Flatten()
            Linear(4 * 14 * 14, 10)
        }
        let summary = model.summary(inputShape: [1, 1, 28, 28])
        #expect(summary.rows.map(\.outputShape) == [[1, 4, 28, 28], [1, 4, 28, 28], [1, 4, 14, 14], [1, 784], [1, 10]])
        #expect(summary.rows.map(\.parameters) == [40, 0, 0, 0, 7850])
        #expect(summary.totalParameters == 7890)
        #expect(summary.description.contains("Total parameters: 7,890"))
        #expect(model.isTraining)
    }

    @Test func shapeErrorsNameTheLayerAndBothShapes() throws {
        let conv = Conv2d(3, 16, kernelSize: 3)
        #expect(throws: ShapeError("Conv2d(3→16): expected input [N, 3, H, W], got [8, 1, 28, 28]")) {
            try conv.outputShape(for: [8, 1, 28, 28])
        }
        let model = Sequential { Flatten(); Linear(784, 512); ReLU(); Linear(512, 10) }
        #expect(throws: ShapeError("layer 1 (Linear(784→512)): expected input [..., 784], got [2, 3072]")) {
            try model.outputShape(for: [2, 3, 32, 32])
        }
        #expect(try model.outputShape(for: [2, 1, 28, 28]) == [2, 10])
        #expect(throws: ShapeError.self) { try BatchNorm2d(3).outputShape(for: [2, 3]) }
        #expect(throws: ShapeError.self) { try MaxPool2d(64).outputShape(for: [1, 1, 28, 28]) }
        #expect(throws: ShapeError.self) { try Conv2d(1, 1, kernelSize: 5, stride: 8).outputShape(for: [1, 1, 3, 3]) }
        #expect(throws: ShapeError.self) { try Residual(Linear(4, 5)).outputShape(for: [2, 4]) }
    }

    @Test func loadStateDictReportsMissingUnexpectedAndShapes() throws {
        let model = Sequential { Linear(2, 3); Linear(3, 1) }
        let weights: [String: Tensor] = ["0.weight": .ones([3, 2]), "0.bias": .zeros([3]), "extra.weight": .zeros([1])]
        #expect(throws: StateDictError.missingOrUnexpected(missing: ["1.bias", "1.weight"], unexpected: ["extra.weight"])) {
            try model.loadStateDict(weights)
        }
        let report = try model.loadStateDict(weights, strict: false)
        #expect(report == LoadReport(missing: ["1.bias", "1.weight"], unexpected: ["extra.weight"]))
        #expect(model.layers[0].ownParameters[0].1.value.scalars == [1, 1, 1, 1, 1, 1])
        #expect(throws: StateDictError.shapeMismatch(name: "0.weight", expected: [3, 2], got: [2, 3])) {
            try model.loadStateDict(["0.weight": .ones([2, 3])], strict: false)
        }
        #expect(StateDictError.shapeMismatch(name: "0.weight", expected: [3, 2], got: [2, 3]).description
                == "0.weight: the model expects shape [3, 2] but the checkpoint has [2, 3]")
    }

    @Test func dropoutScalesInTrainingAndIsIdentityInEval() {
        Random.seed(1)
        let drop = Dropout(0.25)
        let x = Tensor.ones([10_000])
        let y = drop(x).scalars
        #expect(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 })
        let dropped = Float(y.filter { $0 == 0 }.count) / 10_000
        #expect(Swift.abs(dropped - 0.25) < 0.02)
        #expect(Swift.abs(y.reduce(0, +) / 10_000 - 1) < 0.03)   // inverted dropout keeps the mean
        drop.eval()
        #expect(drop(x).scalars == x.scalars)
    }

    @Test func dropoutGradientUsesTheSameMask() {
        Random.seed(2)
        let x = Tensor.ones([100], requiresGrad: true)
        let y = Dropout(0.5)(x)
        y.sum().backward()
        #expect(x.grad!.scalars == y.scalars)
    }

    @Test func embeddingLooksUpRows() {
        let e = Embedding(4, 2)
        _ = try? e.loadStateDict(["weight": Tensor(shape: [4, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])])
        #expect(e(Tensor([[3, 0]])).scalars == [6, 7, 0, 1])
        #expect(e(Tensor([[3, 0]])).shape == [1, 2, 2])
    }

    @Test func adaptivePoolToOneIsGlobalMean() {
        let x = Tensor.arange(0, 24).reshape([1, 2, 3, 4])
        #expect(AdaptiveAvgPool2d((1, 1))(x).scalars == [5.5, 17.5])
        #expect(GlobalAvgPool2d()(x).shape == [1, 2])
    }
}
