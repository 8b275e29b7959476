import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// State-dict round trips, learning-rate changes and training through Nabla's own autograd.
@Suite struct OptimizerStateTests {
    /// Every optimizer with its most state-heavy options.
    static let configurations: [String] = ["sgd", "adagrad", "rmsprop", "adam", "adamw"]

    static func make(_ name: String, _ parameters: [Parameter]) -> Optimizer {
        switch name {
        case "sgd": return SGD(parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case "adagrad": return AdaGrad(parameters, learningRate: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1)
        case "rmsprop": return RMSProp(parameters, learningRate: 0.01, weightDecay: 0.01, momentum: 0.9, centered: true)
        case "adam": return Adam(parameters, learningRate: 0.01, weightDecay: 0.01, amsgrad: true)
        default: return AdamW(parameters, learningRate: 0.01, amsgrad: true)
        }
    }

    /// A fixed regression problem: parameters [3, 4] and [4], inputs [6, 4], targets [6, 3].
    struct Problem {
        let x = Tensor(shape: [6, 4], scalars: (0..<24).map { Float($0 % 7) * 0.3 - 0.8 })
        let y = Tensor(shape: [6, 3], scalars: (0..<18).map { Float($0 % 5) * 0.2 - 0.4 })

        func parameters() -> [Parameter] {
            [Parameter(Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0 % 5) * 0.25 - 0.5 })),
             Parameter(Tensor((0..<4).map { 1 + Float($0) * 0.1 }))]
        }

        /// mean((tanh((x·p1) p0ᵀ) − y)²) + 0.05·|p1|², through Nabla's autograd.
        func loss(_ p: [Parameter]) -> Tensor {
            let z = (x * p[1].value).matmul(p[0].value, transB: true).tanh()
            return (z - y).squared().mean() + 0.05 * p[1].value.squared().sum()
        }

        /// `steps` iterations of zeroGrad / backward / step.
        func train(_ optimizer: Optimizer, steps: Int) {
            for _ in 0..<steps {
                optimizer.zeroGrad()
                loss(optimizer.parameters).backward()
                optimizer.step()
            }
        }
    }

    @Test(arguments: configurations)
    func stateDictRoundTripContinuesBitIdentically(_ name: String) throws {
        let problem = Problem()
        let reference = Self.make(name, problem.parameters())
        problem.train(reference, steps: 20)

        let firstParameters = problem.parameters()
        let first = Self.make(name, firstParameters)
        problem.train(first, steps: 10)
        let saved = first.stateDict()

        // A new optimizer over parameters restored to the checkpointed values.
        let resumedParameters = problem.parameters()
        for (target, source) in zip(resumedParameters, firstParameters) { target.assign(source.value) }
        let resumed = Self.make(name, resumedParameters)
        try resumed.loadStateDict(saved)
        #expect(resumed.stateDict().mapValues(\.scalars) == saved.mapValues(\.scalars))
        problem.train(resumed, steps: 10)

        for (got, want) in zip(resumedParameters, reference.parameters) {
            #expect(got.value.scalars == want.value.scalars, "\(name): resumed training differs")
        }
        #expect(resumed.stateDict().mapValues(\.scalars) == reference.stateDict().mapValues(\.scalars))
        if resumed.tracksStep { #expect(resumed.state(at: 0)["step"]?.item == 20) }
    }

    @Test(arguments: configurations)
    func trainingReducesTheLoss(_ name: String) {
        let problem = Problem()
        let optimizer = Self.make(name, problem.parameters())
        let before = problem.loss(optimizer.parameters).item
        problem.train(optimizer, steps: 30)
        let after = problem.loss(optimizer.parameters).item
        #expect(after < before * 0.9, "\(name): loss \(before) → \(after)")
    }

    @Test(arguments: configurations)
    func learningRateChangeTakesEffect(_ name: String) {
        let problem = Problem()
        let steady = Self.make(name, problem.parameters()), changed = Self.make(name, problem.parameters())
        problem.train(steady, steps: 5)
        problem.train(changed, steps: 5)
        #expect(changed.parameters[0].value.scalars == steady.parameters[0].value.scalars)
        let before = changed.parameters[0].value.scalars
        changed.learningRate = 0
        problem.train(changed, steps: 1)
        // With a zero learning rate nothing moves (AdamW's decay is lr-scaled too).
        #expect(changed.parameters[0].value.scalars == before)
        changed.learningRate = steady.learningRate * 2
        problem.train(changed, steps: 1)
        problem.train(steady, steps: 1)
        #expect(changed.parameters[0].value.scalars != steady.parameters[0].value.scalars)
    }

    @Test(arguments: configurations)
    func largeParametersGiveTheSameResultWhenSplitAcrossCores(_ name: String) {
        // 100 000 elements are updated in parallel chunks; two halves of 50 000 run serially.
        let n = 100_000, half = n / 2
        let values = (0..<n).map { Float($0 % 97) * 0.02 - 1 }
        let whole = [Parameter(Tensor(values))]
        let halves = [Parameter(Tensor(Array(values[..<half]))), Parameter(Tensor(Array(values[half...])))]
        let a = Self.make(name, whole), b = Self.make(name, halves)
        for step in 0..<3 {
            let grad = (0..<n).map { Float(($0 * 31 + step * 7) % 89) * 0.01 - 0.4 }
            whole[0].grad = Tensor(grad)
            halves[0].grad = Tensor(Array(grad[..<half]))
            halves[1].grad = Tensor(Array(grad[half...]))
            a.step()
            b.step()
        }
        #expect(whole[0].value.scalars == halves[0].value.scalars + halves[1].value.scalars)
        #expect(whole[0].value.scalars != values)
    }

    @Test func sgdStepIsLearningRateTimesGradient() {
        let p = Parameter(Tensor([1, 2]))
        let optimizer = SGD([p], learningRate: 0.5)
        p.grad = Tensor([0.25, -1])
        optimizer.step()
        #expect(p.value.scalars == [1 - 0.5 * 0.25, 2 + 0.5])
        optimizer.learningRate = 0.25
        p.grad = Tensor([1, 1])
        optimizer.step()
        #expect(p.value.scalars == [0.875 - 0.25, 2.5 - 0.25])
    }

    @Test func parametersWithoutGradientsAreSkipped() {
        let a = Parameter(Tensor([1, 2])), b = Parameter(Tensor([3]))
        let optimizer = Adam([a, b], learningRate: 0.1)
        a.grad = Tensor([1, -1])
        optimizer.step()
        #expect(b.value.scalars == [3])
        #expect(optimizer.state(at: 1).isEmpty)
        #expect(optimizer.state(at: 0)["step"]?.item == 1)
        // Adam's first step moves each element by lr·sign(grad).
        #expect(Swift.abs(a.value.scalars[0] - 0.9) < 1e-6 && Swift.abs(a.value.scalars[1] - 2.1) < 1e-6)
        optimizer.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func adagradStateExistsBeforeTheFirstStep() {
        let optimizer = AdaGrad([Parameter(Tensor([1, 2]))], initialAccumulatorValue: 0.5)
        let dict = optimizer.stateDict()
        #expect(dict["state.0.sum"]?.scalars == [0.5, 0.5])
        #expect(dict["state.0.step"]?.item == 0)
    }

    @Test func loadStateDictRejectsMismatches() throws {
        let problem = Problem()
        let adam = Adam(problem.parameters(), learningRate: 0.01)
        problem.train(adam, steps: 2)
        let saved = adam.stateDict()
        let fresh = Adam(problem.parameters(), learningRate: 0.01)

        var missing = saved
        missing["state.1.exp_avg_sq"] = nil
        #expect(throws: OptimizerStateError(key: "state.1.exp_avg_sq", "missing, though other state of parameter 1 is present",
                                            hint: "was the state saved by Adam with the same options?")) { try fresh.loadStateDict(missing) }
        var wrongShape = saved
        wrongShape["state.0.exp_avg"] = Tensor.zeros([4])
        #expect(throws: OptimizerStateError.self) { try fresh.loadStateDict(wrongShape) }
        var outOfRange = saved
        outOfRange["state.2.step"] = Tensor(1)
        #expect(throws: OptimizerStateError.self) { try fresh.loadStateDict(outOfRange) }
        #expect(throws: OptimizerStateError.self) { try fresh.loadStateDict(["momentum": Tensor(0.9)]) }
        // AMSGrad state is not Adam-without-AMSGrad state.
        let amsgrad = Adam(problem.parameters(), learningRate: 0.01, amsgrad: true)
        #expect(throws: OptimizerStateError.self) { try amsgrad.loadStateDict(saved) }
        #expect(throws: OptimizerStateError.self) { try SGD(problem.parameters(), learningRate: 0.1).loadStateDict(saved) }
        #expect(Set(fresh.stateDict().keys) == ["param_groups.0.lr", "param_groups.0.weight_decay", "param_groups.0.params"])  // failed loads changed nothing: only the group

        try fresh.loadStateDict(saved)
        #expect(fresh.state(at: 0)["step"]?.item == 2)
    }

    @Test func loadStateDictRestoresAChangedLearningRate() throws {
        let a = SGD([Parameter(Tensor([1]))], learningRate: 0.1)
        a.learningRate = 0.025
        let b = SGD([Parameter(Tensor([1]))], learningRate: 0.1)
        try b.loadStateDict(a.stateDict())
        #expect(b.learningRate == Double(Float(0.025)))  // a changed rate comes back as its Float32 rounding
        let c = SGD([Parameter(Tensor([1]))], learningRate: 0.01)
        try c.loadStateDict(SGD([Parameter(Tensor([1]))], learningRate: 0.01).stateDict())
        #expect(c.learningRate == 0.01)  // same rate: the double is kept, not its float rounding
    }
}
