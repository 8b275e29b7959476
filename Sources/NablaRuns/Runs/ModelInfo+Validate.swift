import NablaLibrary

extension ModelInfo {
    /// The widest input a run folder may describe: 2^24 numbers per sample.
    static let maxInputCount = 1 << 24
    /// The most outputs (classes or regression targets) a run folder may describe.
    static let maxOutputs = 100_000

    /// Checks every field against what a run can write; `path` names `model.json` in errors.
    func validate(path: String) throws {
        func refuse(_ problem: String) -> CheckpointError {
            CheckpointError(path: path, problem: problem + CheckpointError.damagedHint)
        }
        guard (1...4).contains(inputShape.count), inputShape.allSatisfy({ (1...65_536).contains($0) }) else {
            throw refuse("inputShape \(inputShape): must have 1 to 4 dimensions, each in [1, 65536]")
        }
        let inputCount = inputShape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard inputCount <= Self.maxInputCount else { throw refuse("inputShape \(inputShape): more than \(Self.maxInputCount) numbers per sample") }
        guard (1...Self.maxOutputs).contains(outputs) else { throw refuse("outputs \(outputs): must be in [1, \(Self.maxOutputs)]") }
        guard classNames.count <= outputs else { throw refuse("classNames: \(classNames.count) names for \(outputs) outputs") }
        if let polynomial {
            guard inputShape.count == 1, (1...10).contains(polynomial.degree), polynomial.inputFeatures <= Self.maxInputCount,
                  polynomial.outputFeatures == inputCount else {
                throw refuse("polynomial: degree \(polynomial.degree) of \(polynomial.inputFeatures) features does not give inputShape \(inputShape)")
            }
        }
        if let standardizer {
            guard standardizer.mean.count == inputCount, standardizer.std.count == inputCount,
                  standardizer.mean.allSatisfy(\.isFinite), standardizer.std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw refuse("standardizer: expected \(inputCount) finite means and positive, finite deviations")
            }
        }
    }
}
