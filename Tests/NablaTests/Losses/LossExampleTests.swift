import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The values quoted in the losses' documentation, plus PyTorch semantics worth pinning by hand.
@Suite struct LossExampleTests {
    func expectClose(_ t: Tensor, _ want: Double, _ note: Comment? = nil, rtol: Double = 1e-5) {
        #expect(t.shape == [], "a reduced loss is 0-d")
        #expect(allClose([t.item], [want], rtol: rtol), "\(t.item) vs \(want) \(note?.description ?? "")")
    }

    @Test func regressionExamples() {
        expectClose(mseLoss(Tensor([1, 2]), Tensor([0, 0])), 2.5)
        expectClose(l1Loss(Tensor([1, -3]), Tensor([0, 0])), 2)
        expectClose(rmseLoss(Tensor([3, 4]), Tensor([0, 0])), 3.535_533_905_932_737_6)
        expectClose(rmseLoss(Tensor([3, 4]), Tensor([0, 0]), reduction: .sum), 5)
        #expect(rmseLoss(Tensor([3, -4]), Tensor([0, 0]), reduction: .none).scalars == [3, 4])
        expectClose(msleLoss(Tensor([3]), Tensor([1])), 0.480_453_013_918_201_4)
        expectClose(mapeLoss(Tensor([110, 45]), Tensor([100, 50])), 0.1)
        expectClose(smoothL1Loss(Tensor([0.5, 3]), Tensor([0, 0])), 1.3125)
        expectClose(huberLoss(Tensor([0.5, 3]), Tensor([0, 0]), delta: 2), 2.0625)
        #expect(mseLoss(Tensor([1, 2]), Tensor([0, 0]), reduction: .none).scalars == [1, 4])
    }

    @Test func huberIsDeltaTimesSmoothL1() {
        let x = Tensor([-2, -0.4, 0.1, 0.9, 3.5]), y = Tensor.zeros([5])
        for delta: Float in [0.5, 1, 2] {
            let huber = huberLoss(x, y, delta: delta, reduction: .none)
            let smooth = smoothL1Loss(x, y, beta: delta, reduction: .none) * delta
            #expect(allClose(huber.scalars, smooth.scalars.map(Double.init)), "delta \(delta)")
        }
    }

    @Test func msleOfAPredictionAtOrBelowMinusOneIsNonFiniteNotATrap() {
        let loss = msleLoss(Tensor([-1, -2, 3]), Tensor([0, 0, 0]), reduction: .none).scalars
        #expect(!loss[0].isFinite && !loss[1].isFinite && loss[2].isFinite)
    }

    @Test func msleIsAccurateForTinyValues() {
        // log1p(1e-7) − log1p(0) = 1e-7 − 5e-15: a float32 log(1 + x) would give 1.19e-7 instead.
        let loss = msleLoss(Tensor([1e-7]), Tensor([0]), reduction: .none)
        #expect(allClose(loss.scalars, [1e-14], rtol: 1e-5), "\(loss.scalars)")
    }

    @Test func binaryExamples() {
        expectClose(binaryCrossEntropy(Tensor([0.9, 0.2]), Tensor([1, 0])), 0.164_252_033_486_018_07)
        expectClose(binaryCrossEntropyWithLogits(Tensor([2.0, -1.0]), Tensor([1, 0])), 0.220_095_253_155_243_74)
        // log clamped at −100: a certain wrong prediction costs 100, as in PyTorch.
        #expect(binaryCrossEntropy(Tensor([0, 1, 0]), Tensor([1, 0, 0]), reduction: .none).scalars == [100, 100, 0])
    }

    @Test func logitsOfHundredStayFinite() {
        let logits = Tensor([100, -100, 100, -100], requiresGrad: true), y = Tensor([1, 0, 0, 1])
        let loss = binaryCrossEntropyWithLogits(logits, y, reduction: .none)
        #expect(loss.scalars[0] < 1e-30 && loss.scalars[1] < 1e-30, "confident and right: ≈ e^−100")
        #expect(loss.scalars[2] == 100 && loss.scalars[3] == 100, "confident and wrong: 100")
        let g = gradients(of: loss.sum(), withRespectTo: [logits])[0]
        #expect(allClose(g.scalars, [0, 0, 1, -1]), "σ(x) − t: \(g.scalars)")
    }

    @Test func posWeightScalesOnlyPositives() {
        let logits = Tensor([0.3, -0.7]), positive = Tensor([1, 1]), negative = Tensor([0, 0])
        let pw = Tensor([3])
        let weighted = binaryCrossEntropyWithLogits(logits, positive, posWeight: pw, reduction: .none)
        let plain = binaryCrossEntropyWithLogits(logits, positive, reduction: .none)
        #expect(allClose(weighted.scalars, plain.scalars.map { 3 * Double($0) }))
        #expect(binaryCrossEntropyWithLogits(logits, negative, posWeight: pw).item
                == binaryCrossEntropyWithLogits(logits, negative).item)
    }

    @Test func classExamples() {
        expectClose(nllLoss(Tensor([[-0.1, -2.5], [-1.2, -0.4]]), Tensor([0, 1])), 0.25)
        expectClose(multiMarginLoss(Tensor([[0.1, 0.2, 0.4, 0.8]]), Tensor([3])), 0.325)
        let logits = Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
        // −log softmax picked: row 0: 0.241311, row 1: 0.109601
        expectClose(crossEntropy(logits, Tensor([0, 2])), (0.241_311_296_657_157_03 + 0.109_601_464_521_465_42) / 2)
    }

    @Test func weightedMeanDividesByTargetWeights() {
        let logits = Tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
        let targets = Tensor([0, 0, 1]), weight = Tensor([2, 1])
        let perTarget = crossEntropy(logits, targets, weight: weight, reduction: .none)
        let total = perTarget.scalars.reduce(0, +)
        expectClose(crossEntropy(logits, targets, weight: weight), Double(total) / 5, "Σ w_y·loss / Σ w_y = / (2 + 2 + 1)")
        // An ignored target counts in neither sum.
        let ignored = crossEntropy(logits, Tensor([0, -100, 1]), weight: weight, ignoreIndex: -100)
        expectClose(ignored, Double(perTarget[0] + perTarget[2]) / 3)
        #expect(crossEntropy(logits, Tensor([0, -100, 1]), ignoreIndex: -100, reduction: .none)[1] == 0)
    }

    @Test func klDivergenceReductions() {
        let logQ = Tensor([[0.25, 0.75], [0.5, 0.5]]).log(), p = Tensor([[0.5, 0.5], [0.5, 0.5]])
        let first = 0.143_841_036_225_890_1   // KL([.5, .5] ‖ [.25, .75]); the second row contributes 0
        expectClose(klDivLoss(logQ, p, reduction: .batchMean), first / 2)
        expectClose(klDivLoss(logQ, p, reduction: .sum), first)
        expectClose(klDivLoss(logQ, p), first / 4, "'mean' averages over all four elements")
        expectClose(klDivLoss(logQ, p.log(), reduction: .sum, logTarget: true), first)
        #expect(klDivLoss(logQ, p, reduction: .none).shape == [2, 2])
        expectClose(klDivLoss(logQ, Tensor([[1, 0], [0, 1]]), reduction: .sum), -Double(logQ[0, 0] + logQ[1, 1]),
                    "0·log 0 = 0")
    }

    @Test func signLabelExamples() {
        expectClose(hingeLoss(Tensor([2, 0.5, -1]), Tensor([1, 1, 1])), 2.5 / 3)
        expectClose(squaredHingeLoss(Tensor([2, 0.5, -1]), Tensor([1, 1, 1])), 4.25 / 3)
        expectClose(exponentialLoss(Tensor([0, 1]), Tensor([1, -1])), (1 + 2.718_281_828_459_045) / 2)
    }

    @Test func reductionHelper() {
        let t = Tensor([1, 2, 3, 6])
        #expect(Reduction.mean.apply(t).item == 3)
        #expect(Reduction.sum.apply(t).item == 12)
        #expect(Reduction.none.apply(t).scalars == [1, 2, 3, 6])
        #expect(Reduction.allCases.map(\.torchName) == ["mean", "sum", "none"])
        #expect(KLDivReduction(.sum) == .sum && KLDivReduction(.none) == .none && KLDivReduction(.mean) == .mean)
    }
}
