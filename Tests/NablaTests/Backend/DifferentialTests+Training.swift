import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// One optimizer configuration, run for several steps on both backends.
struct OptimizerRow: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable ([Parameter]) -> Optimizer
    var testDescription: String { name }

    static let all: [OptimizerRow] = [
        OptimizerRow(name: "SGD") { SGD($0, learningRate: 0.1) },
        OptimizerRow(name: "SGD decay") { SGD($0, learningRate: 0.1, weightDecay: 0.05) },
        OptimizerRow(name: "SGD momentum dampening") { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.01) },
        OptimizerRow(name: "SGD nesterov") { SGD($0, learningRate: 0.1, momentum: 0.8, nesterov: true) },
        OptimizerRow(name: "AdaGrad") { AdaGrad($0, learningRate: 0.1) },
        OptimizerRow(name: "AdaGrad decays") {
            AdaGrad($0, learningRate: 0.1, lrDecay: 0.01, weightDecay: 0.02, initialAccumulatorValue: 0.1)
        },
        OptimizerRow(name: "RMSProp") { RMSProp($0, learningRate: 0.01) },
        OptimizerRow(name: "RMSProp centered momentum decay") {
            RMSProp($0, learningRate: 0.01, alpha: 0.9, weightDecay: 0.01, momentum: 0.5, centered: true)
        },
        OptimizerRow(name: "RMSProp centered") { RMSProp($0, learningRate: 0.01, centered: true) },
        OptimizerRow(name: "RMSProp momentum") { RMSProp($0, learningRate: 0.01, momentum: 0.9) },
        OptimizerRow(name: "Adam") { Adam($0, learningRate: 0.01) },
        OptimizerRow(name: "Adam decay") { Adam($0, learningRate: 0.01, weightDecay: 0.1) },
        OptimizerRow(name: "Adam AMSGrad") { Adam($0, learningRate: 0.01, betas: (0.8, 0.99), amsgrad: true) },
        OptimizerRow(name: "AdamW") { AdamW($0, learningRate: 0.01, weightDecay: 0.1) },
        OptimizerRow(name: "AdamW AMSGrad") { AdamW($0, learningRate: 0.01, amsgrad: true) },
    ]
}

/// One augmentation, applied to random batches on both backends.
struct AugmentationRow: Sendable, CustomTestStringConvertible {
    let augmentation: any Augmentation
    var testDescription: String { "\(type(of: augmentation))" }

    static let all: [AugmentationRow] = [
        RandomHorizontalFlip(), RandomVerticalFlip(), RandomCrop(height: 3, width: 4, padding: 2),
        RandomTranslation(horizontal: 0.3, vertical: 0.5), RandomRotation(degrees: 40, interpolation: .nearest),
        RandomRotation(degrees: 180), Compose(RandomCrop(size: 3, padding: 1), RandomRotation(degrees: 90...90)),
    ].map(AugmentationRow.init)
}

extension DifferentialTests {
    static let optimizerSteps = 6
    /// Odd sizes, so the CPU's four-lane Adam loop runs its tail too, and one large enough to be split across cores.
    static let parameterShapes = [[7], [3, 5], [1], [4, 9], [70_003]]

    @Test("optimizer updates agree", arguments: OptimizerRow.all)
    func optimizerAgrees(_ row: OptimizerRow) {
        let cpu = Self.train(row, on: Self.backends.cpu), reference = Self.train(row, on: Self.backends.reference)
        #expect(cpu.keys == reference.keys)
        let tolerance = Tolerance(rtol: 1e-5, atol: 1e-6)
        for (key, values) in cpu.sorted(by: { $0.key < $1.key }) {
            if let problem = tolerance.mismatch(values, reference[key] ?? []) { Issue.record("\(row.name) \(key): \(problem)") }
        }
    }

    /// The parameters and every state buffer after `optimizerSteps` steps with random gradients, by name.
    static func train(_ row: OptimizerRow, on backend: any Backend.Type) -> [String: [Float]] {
        Backends.with(backend) {
            var g = Generator(seed: 5)
            let parameters = parameterShapes.map { Parameter(Tensor(shape: $0, scalars: InputSpec.normal($0).draw(&g))) }
            let optimizer = row.make(parameters)
            for _ in 0..<optimizerSteps {
                for p in parameters { p.grad = Tensor(shape: p.shape, scalars: InputSpec.normal(p.shape).draw(&g)) }
                optimizer.step()
            }
            var result: [String: [Float]] = [:]
            for (index, p) in parameters.enumerated() {
                result["\(index).value"] = p.value.scalars
                for (name, buffer) in optimizer.state(at: index) { result["\(index).\(name)"] = buffer.scalars }
            }
            return result
        }
    }

    @Test("augmentations agree", arguments: AugmentationRow.all)
    func augmentationAgrees(_ row: AugmentationRow) {
        var shapes = Generator(seed: 3)
        for number in 0..<6 {
            let shape = [shapes.int(1...3), shapes.int(1...3), shapes.int(3...8), shapes.int(3...8)].suffix(number % 3 == 0 ? 3 : 4)
            let images = Tensor(shape: Array(shape), scalars: InputSpec.normal(Array(shape)).draw(&shapes))
            let results = [Self.backends.cpu, Self.backends.reference].map { backend in
                Backends.with(backend) {
                    var g = Generator(seed: UInt64(number))
                    return row.augmentation.apply(images, generator: &g)
                }
            }
            #expect(results[0].shape == results[1].shape)
            if let problem = Tolerance.exact.mismatch(results[0].scalars, results[1].scalars) {
                Issue.record("\(row.testDescription) on \(Array(shape)): \(problem)")
            }
        }
    }
}
