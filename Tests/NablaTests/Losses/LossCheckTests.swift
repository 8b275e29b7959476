import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The messages behind the losses' precondition failures (a precondition cannot be caught, so the
/// checks are tested directly).
@Suite struct LossCheckTests {
    @Test func shapeMismatch() {
        #expect(LossCheck.shapeError("mseLoss", input: [4, 3], target: [4]) == "mseLoss: input [4, 3] and target [4] differ")
        #expect(LossCheck.shapeError("mseLoss", input: [4, 3], target: [4, 3]) == nil)
        #expect(LossCheck.shapeError("hingeLoss", input: [2], target: [3], names: ("scores", "labels"))
                == "hingeLoss: scores [2] and labels [3] differ")
    }

    @Test func classIndices() {
        let classes = 10
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([3, 12, 1]), classes: classes)
                == "crossEntropy: target 12 is out of range for 10 classes")
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([-1]), classes: classes)
                == "crossEntropy: target -1 is out of range for 10 classes")
        #expect(LossCheck.classIndexError("nllLoss", targets: Tensor([10]), classes: classes)
                == "nllLoss: target 10 is out of range for 10 classes")
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([1.5]), classes: classes)
                == "crossEntropy: target 1.5 is not an integer class index")
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([0, 9]), classes: classes) == nil)
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([0, -100, 9]), classes: classes, ignoreIndex: -100) == nil,
                "an ignored target may lie outside the classes")
        #expect(LossCheck.classIndexError("crossEntropy", targets: Tensor([-100]), classes: classes, ignoreIndex: 3)
                == "crossEntropy: target -100 is out of range for 10 classes")
    }

    @Test func unitInterval() {
        #expect(LossCheck.rangeError("binaryCrossEntropy", "targets", Tensor([0, 1.5, 1]), in: 0...1)
                == "binaryCrossEntropy: targets must lie in [0, 1], found 1.5")
        #expect(LossCheck.rangeError("binaryCrossEntropy", "probabilities", Tensor([0.5, -0.25]), in: 0...1)
                == "binaryCrossEntropy: probabilities must lie in [0, 1], found -0.25")
        #expect(LossCheck.rangeError("binaryCrossEntropy", "probabilities", Tensor([.nan]), in: 0...1)
                == "binaryCrossEntropy: probabilities must lie in [0, 1], found nan")
        #expect(LossCheck.rangeError("binaryCrossEntropy", "targets", Tensor([0, 0.3, 1]), in: 0...1) == nil)
    }

    @Test func signLabels() {
        #expect(LossCheck.signLabelError("hingeLoss", labels: Tensor([1, -1, 0])) == "hingeLoss: labels must be -1 or 1, found 0")
        #expect(LossCheck.signLabelError("exponentialLoss", labels: Tensor([1, 2])) == "exponentialLoss: labels must be -1 or 1, found 2")
        #expect(LossCheck.signLabelError("hingeLoss", labels: Tensor([1, -1, -1])) == nil)
    }

    @Test func logDomainAndWeights() {
        #expect(LossCheck.aboveMinusOneError("msleLoss", "input", Tensor([0.5, -1])) == "msleLoss: input must be greater than -1, found -1")
        #expect(LossCheck.aboveMinusOneError("msleLoss", "target", Tensor([-0.5, 3])) == nil)
        #expect(LossCheck.classWeightError("nllLoss", weight: [3], classes: 4) == "nllLoss: class weight [3] should have shape [4]")
        #expect(LossCheck.classWeightError("nllLoss", weight: [4], classes: 4) == nil)
        #expect(LossCheck.broadcastWeightError("binaryCrossEntropy", "weight", weight: [3], shape: [4, 2])
                == "binaryCrossEntropy: weight [3] cannot be broadcast to input [4, 2]")
        #expect(LossCheck.broadcastWeightError("binaryCrossEntropyWithLogits", "posWeight", weight: [2], shape: [4, 2]) == nil)
        #expect(LossCheck.broadcastWeightError("binaryCrossEntropy", "weight", weight: [4, 2, 1], shape: [4, 2]) != nil,
                "a weight may not add dimensions to the loss")
    }
}
