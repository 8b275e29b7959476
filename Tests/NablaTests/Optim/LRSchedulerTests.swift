import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Learning-rate schedules against torch.optim.lr_scheduler (30 epochs, Tests/Fixtures/optim.json),
/// plus resume from a state dict.
@Suite struct LRSchedulerTests {
    static let epochCases = OptimFixtures.cases(["step_lr", "exponential_lr", "cosine_annealing_lr", "linear_lr"])
    static let plateauCases = OptimFixtures.cases(["reduce_lr_on_plateau"])

    static func optimizer(_ lr: Double) -> SGD { SGD([Parameter(Tensor.zeros([1]))], learningRate: lr) }

    static func makeScheduler(_ c: OptimCase, _ optimizer: Optimizer) -> LRScheduler {
        switch c.op {
        case "step_lr": return StepLR(optimizer, stepSize: c.int("step_size"), gamma: c.double("gamma"))
        case "exponential_lr": return ExponentialLR(optimizer, gamma: c.double("gamma"))
        case "cosine_annealing_lr": return CosineAnnealingLR(optimizer, tMax: c.int("t_max"), etaMin: c.double("eta_min"))
        case "linear_lr":
            return LinearLR(optimizer, startFactor: c.double("start_factor"), endFactor: c.double("end_factor"),
                            totalIters: c.int("total_iters"))
        default: fatalError("\(c.name): unknown scheduler \(c.op)")
        }
    }

    static func makePlateau(_ c: OptimCase, _ optimizer: Optimizer) -> ReduceLROnPlateau {
        ReduceLROnPlateau(optimizer, mode: .init(rawValue: c.string("mode"))!, factor: c.double("factor"),
                          patience: c.int("patience"), threshold: c.double("threshold"),
                          thresholdMode: .init(rawValue: c.string("threshold_mode"))!, cooldown: c.int("cooldown"),
                          minLR: c.double("min_lr"))
    }

    /// |got − want| within a few double ulps of the rate.
    static func close(_ got: [Double], _ want: [Double]) -> Bool {
        got.count == want.count && zip(got, want).allSatisfy { Swift.abs($0 - $1) <= 1e-15 * Swift.max(1e-3, Swift.abs($1)) }
    }

    @Test(arguments: epochCases)
    func epochScheduleMatchesPyTorch(_ c: OptimCase) {
        let optimizer = Self.optimizer(c.double("lr"))
        let scheduler = Self.makeScheduler(c, optimizer)
        var rates: [Double] = []
        for _ in 0..<c.int("epochs") {
            rates.append(optimizer.learningRate)
            scheduler.step()
        }
        #expect(Self.close(rates, c.output.data), "\(c.name): \(rates) vs \(c.output.data)")
        #expect(scheduler.lastEpoch == c.int("epochs"))
        #expect(scheduler.lastLR == optimizer.learningRate)
    }

    @Test(arguments: plateauCases)
    func plateauMatchesPyTorch(_ c: OptimCase) {
        let optimizer = Self.optimizer(c.double("lr"))
        let scheduler = Self.makePlateau(c, optimizer)
        var rates: [Double] = []
        for metric in c.inputs[0].data {
            rates.append(optimizer.learningRate)
            scheduler.step(metric: metric)
        }
        #expect(Self.close(rates, c.output.data), "\(c.name): \(rates) vs \(c.output.data)")
        #expect(Set(rates).count > 1, "\(c.name): the learning rate never changed")
        #expect(scheduler.best == c.counters["best"])
        #expect(Double(scheduler.numBadEpochs) == c.counters["num_bad_epochs"])
        #expect(Double(scheduler.cooldownCounter) == c.counters["cooldown_counter"])
        #expect(Double(scheduler.lastEpoch) == c.counters["last_epoch"])
    }

    @Test(arguments: epochCases)
    func resumeFromStateDictContinuesExactly(_ c: OptimCase) throws {
        let uninterrupted = Self.optimizer(c.double("lr"))
        let reference = Self.makeScheduler(c, uninterrupted)
        let first = Self.optimizer(c.double("lr"))
        let interrupted = Self.makeScheduler(c, first)
        for _ in 0..<12 { reference.step(); interrupted.step() }
        let saved = interrupted.stateDict()

        let second = Self.optimizer(c.double("lr"))
        let resumed = Self.makeScheduler(c, second)
        try resumed.loadStateDict(saved)
        #expect(resumed.lastLR == first.learningRate)
        second.learningRate = first.learningRate   // the optimizer's rate is restored with the optimizer
        for _ in 0..<15 {
            reference.step()
            resumed.step()
            #expect(second.learningRate == uninterrupted.learningRate, "\(c.name) at epoch \(resumed.lastEpoch)")
        }
        #expect(resumed.lastEpoch == 27)
    }

    @Test func plateauResumeFromStateDict() throws {
        let c = try #require(Self.plateauCases.first { $0.name == "plateau_min_rel" })
        let metrics = c.inputs[0].data
        let reference = Self.makePlateau(c, Self.optimizer(c.double("lr")))
        let first = Self.makePlateau(c, Self.optimizer(c.double("lr")))
        for m in metrics[..<10] { reference.step(metric: m); first.step(metric: m) }
        let second = Self.optimizer(c.double("lr"))
        let resumed = Self.makePlateau(c, second)
        try resumed.loadStateDict(first.stateDict())
        second.learningRate = first.optimizer.learningRate   // restored with the optimizer, as a Trainer does
        for m in metrics[10...] {
            reference.step(metric: m)
            resumed.step(metric: m)
            #expect(second.learningRate == reference.optimizer.learningRate)
        }
        #expect(resumed.stateDict() == reference.stateDict())
    }

    @Test func loadingAScheduleLeavesTheOptimizersRateAlone() throws {
        let first = Self.optimizer(0.1)
        let step = StepLR(first, stepSize: 1, gamma: 0.5)
        let plateau = ReduceLROnPlateau(Self.optimizer(0.1), factor: 0.5, patience: 0)
        for metric in [3.0, 3.0, 3.0] { step.step(); plateau.step(metric: metric) }
        let second = Self.optimizer(0.3)
        try StepLR(second, stepSize: 1, gamma: 0.5).loadStateDict(step.stateDict())
        try ReduceLROnPlateau(second, factor: 0.5, patience: 0).loadStateDict(plateau.stateDict())
        #expect(second.learningRate == 0.3)
    }

    @Test func loadRejectsIncompleteState() {
        let scheduler = StepLR(Self.optimizer(0.1), stepSize: 3)
        #expect(throws: OptimizerStateError.self) { try scheduler.loadStateDict(["last_epoch": 2, "base_lr": 0.1]) }
        #expect(throws: OptimizerStateError.self) { try scheduler.loadStateDict(["last_epoch": 2.5, "base_lr": 0.1, "last_lr": 0.1]) }
        let plateau = ReduceLROnPlateau(Self.optimizer(0.1))
        #expect(throws: OptimizerStateError.self) { try plateau.loadStateDict(["last_epoch": 1]) }
        #expect(scheduler.lastEpoch == 0)
    }

    @Test func linearWarmupReachesBaseRate() {
        let optimizer = Self.optimizer(0.2)
        let warmup = LinearWarmup(optimizer, startFactor: 0.25, totalIters: 3)
        #expect(optimizer.learningRate == 0.05)
        for _ in 0..<3 { warmup.step() }
        #expect(Swift.abs(optimizer.learningRate - 0.2) < 1e-15)
        warmup.step()
        #expect(Swift.abs(optimizer.learningRate - 0.2) < 1e-15)
    }
}
