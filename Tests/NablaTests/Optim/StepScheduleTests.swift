import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Per-step learning-rate schedules against PyTorch stepped per iteration (Tests/Fixtures/optim.json,
/// `step_schedule`): LambdaLR with nanoGPT's get_lr, LinearLR + CosineAnnealingLR in a SequentialLR,
/// CosineAnnealingLR, and StepLR/ExponentialLR stepped at epoch boundaries, one or two groups.
@Suite struct StepScheduleTests {
    static let cases = OptimFixtures.cases(["step_schedule"])

    static func schedule(_ c: OptimCase) -> StepSchedule {
        let decay: StepSchedule.Decay
        switch c.string("schedule") {
        case "constant": decay = .constant
        case "cosine": decay = .cosine(minLearningRate: c.double("min_lr"))
        case "step": decay = .step(everyEpochs: c.int("step_size"), gamma: c.double("gamma"))
        case "exponential": decay = .exponential(gamma: c.double("gamma"))
        default: fatalError("\(c.name): unknown schedule")
        }
        return StepSchedule(decay: decay, warmupSteps: c.int("warmup"), stepsPerEpoch: c.int("steps_per_epoch"),
                            totalSteps: c.int("total_steps"))
    }

    /// The rates an optimizer with the case's groups runs at, step by step.
    static func rates(_ c: OptimCase) -> [Double] {
        let bases = c.args["lrs"]!.list!.map { $0.double! }
        let groups = bases.map { ParameterGroup([Parameter(Tensor.zeros([1]))], learningRate: $0) }
        let optimizer = SGD(groups, learningRate: bases[0])
        let schedule = Self.schedule(c)
        var rates: [Double] = []
        for step in 0..<c.int("total_steps") {
            schedule.apply(to: optimizer, step: step)
            rates += optimizer.groups.map(\.learningRate)
        }
        return rates
    }

    @Test(arguments: cases)
    func ratesMatchPyTorchPerStep(_ c: OptimCase) {
        let got = Self.rates(c), want = c.output.data
        #expect(got.count == want.count)
        let worst = zip(got, want).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), 1e-12) }.max() ?? .infinity
        #expect(worst <= 1e-13, "\(c.name): worst relative error \(worst)")
    }

    @Test func theCasesCoverWarmupFloorAndEpochBoundaries() throws {
        #expect(Self.cases.count >= 6)
        let nano = try #require(Self.cases.first { $0.name == "lambda_nanogpt_warmup_cosine" })
        let rates = Self.rates(nano)
        #expect(rates[0] == 1e-3 / 11)                     // lr·(0 + 1)/(10 + 1)
        #expect(rates[10] == 1e-3)                         // the end of warm-up
        #expect(Swift.abs(rates.last! - 1e-4) < 1e-18)     // the floor at the last step
        let step = try #require(Self.cases.first { $0.name == "step_lr_per_epoch" })
        let stepped = Self.rates(step)                     // two groups, 7 steps per epoch, halving every 2 epochs
        #expect(stepped[2 * 13] == 0.1 && stepped[2 * 14] == 0.05 && stepped[2 * 14 + 1] == 0.1)
    }

    /// The rate depends only on the step and the base: a schedule continues exactly from any step,
    /// and a new base scales the whole curve.
    @Test func aNewBaseScalesTheCurve() {
        let schedule = StepSchedule(decay: .cosine(minLearningRate: 0), warmupSteps: 5, totalSteps: 50)
        for step in [0, 4, 5, 17, 49] {
            #expect(Swift.abs(schedule.learningRate(base: 0.2, step: step) - 2 * schedule.learningRate(base: 0.1, step: step)) < 1e-16)
        }
        #expect(schedule.learningRate(base: 0.1, step: 80) == 0)   // past the end: the floor
    }
}
