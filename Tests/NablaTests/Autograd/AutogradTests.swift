import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite struct AutogradTests {
    @Test func gradientsAccumulateAcrossUses() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * x + x).sum().backward()   // d/dx (x² + x) = 2x + 1
        #expect(x.grad!.scalars == [3, 5, 7])
    }

    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let x = Tensor([1, 2], requiresGrad: true)
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        #expect(x.grad!.scalars == [6, 6])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 2).sum().backward()
        #expect(x.grad!.scalars == [2, 2])
    }

    @Test func detachedTensorsGetNoGradient() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = Tensor([5, 7])
        #expect(!y.requiresGrad)
        let z = (x * y + x.detached() * 100).sum()
        z.backward()
        #expect(x.grad!.scalars == [5, 7])
        #expect(y.grad == nil)
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        #expect(!y.requiresGrad)
        #expect(isGradEnabled)
        withNoGrad { #expect(!isGradEnabled) }
    }

    @Test func broadcastGradientIsSummedBackToInputShape() {
        let a = Tensor.ones([2, 3], requiresGrad: true)
        let b = Tensor([1, 2, 3], requiresGrad: true)
        (a * b).sum().backward()
        #expect(b.grad!.shape == [3])
        #expect(b.grad!.scalars == [2, 2, 2])
        #expect(a.grad!.scalars == [1, 2, 3, 1, 2, 3])
    }

    @Test func diamondGraphVisitsEachNodeOnce() {
        // y = (2x)·(2x) through a shared intermediate; dy/dx = 8x.
        let x = Tensor([1, -2], requiresGrad: true)
        let h = x * 2
        (h * h).sum().backward()
        #expect(x.grad!.scalars == [8, -16])
    }

    @Test func deepChainDoesNotOverflowTheStack() {
        let x = Tensor([0.5], requiresGrad: true)
        var y = x
        for _ in 0..<20_000 { y = y * 1.0 }
        y.sum().backward()
        #expect(x.grad!.scalars == [1])
    }

    /// Freeing a graph must not take one stack frame per op: a long chain freed recursively overflows
    /// the stack of the thread that drops its last tensor.
    @Test func freeingAVeryLongChainDoesNotOverflowTheStack() {
        let x = Tensor([0.5], requiresGrad: true)
        var y = x
        for _ in 0..<400_000 { y = y * 1.0 }
        #expect(y.requiresGrad)
        y = x
        #expect(y.scalars == [0.5])
    }

    // An elementwise op's backward step writes its gradient over the incoming one when nothing else holds
    // that buffer. These three hold it elsewhere: the caller's seed, a captured gradient, a shared one.
    @Test func backwardLeavesTheGivenGradientAlone() {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let seed = Tensor([1, 2, 3])
        (x * 2).backward(seed)
        #expect(seed.scalars == [1, 2, 3])
        #expect(x.grad!.scalars == [2, 4, 6])
    }

    @Test func aCapturedGradientIsNotOverwrittenByTheOpsBelowIt() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        let grads = gradients(of: (h * h).sum(), withRespectTo: [h, x])
        #expect(grads[0].scalars == [6, 12])    // 2h
        #expect(grads[1].scalars == [18, 36])   // 2h · 3
    }

    @Test func oneGradientHandedToTwoInputsReachesBothUnchanged() {
        let x = Tensor([1, 2], requiresGrad: true)
        ((x * 2) + (x * 3)).sum().backward()    // add hands the same gradient to both products
        #expect(x.grad!.scalars == [5, 5])
    }

    @Test func functionalGradientsLeaveAccumulatedGradsAlone() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let w = Tensor([4, 5, 6], requiresGrad: true)
        let unused = Tensor([1], requiresGrad: true)
        let grads = gradients(of: (x * w).sum(), withRespectTo: [x, w, unused])
        #expect(grads[0].scalars == [4, 5, 6])
        #expect(grads[1].scalars == [1, 2, 3])
        #expect(grads[2].scalars == [0])
        #expect(x.grad == nil && w.grad == nil)
    }

    @Test func functionalGradientOfAnIntermediate() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        let g = gradients(of: (h * h).sum(), withRespectTo: [h])[0]
        #expect(g.scalars == [6, 12])   // 2h
    }

    @Test func backwardWithExplicitGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * 2).backward(Tensor([1, 0, -1]))
        #expect(x.grad!.scalars == [2, 0, -2])
    }

    @Test func softmaxIsStableForLargeInputs() {
        #expect(Tensor([1000, 0]).softmax().scalars == [1, 0])
        #expect(Tensor([-1000, 0, 1000]).logSoftmax().scalars == [-2000, -1000, 0])
        #expect(Tensor([1000, 1000]).logsumexp(axis: 0).item == 1000 + Float(0.6931472))
        #expect(Tensor([-1000, 1000]).sigmoid().scalars == [0, 1])
        #expect(Tensor([-1000, 1000]).tanh().scalars == [-1, 1])
        #expect(Tensor([-1000, 1000]).softplus().scalars == [0, 1000])
    }
}
