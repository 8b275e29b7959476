import NablaLibrary
import NablaCore
import NablaBackend

extension LoadedData {
    /// Samples as the data set gives them, made into the model's inputs: expanded by `polynomial`,
    /// then standardized by `standardizer`, as the training data was.
    public func prepare(_ inputs: Tensor) -> Tensor {
        let expanded = polynomial?.transform(inputs) ?? inputs
        return standardizer?.transform(expanded) ?? expanded
    }
}

extension TrainingRun {
    /// The most features `polyFeatures` may give a sample.
    static let maxPolynomialFeatures = 100_000
    /// The most numbers the expanded data may hold: 2^28, 1 GiB of Float32.
    static let maxPolynomialValues = 1 << 28

    /// The data (rows of features: `csv:`, `npy:` and the built-in point sets) with its features expanded to every monomial up to `config.polyFeatures` (no bias
    /// column: the model's first layer has its own), training and test sets alike; the data as it
    /// is when the setting is off. Standardization, when asked for, comes after, as in a
    /// scikit-learn pipeline of `PolynomialFeatures` then `StandardScaler`.
    static func expanded(_ data: LoadedData, _ config: RunConfiguration) throws -> LoadedData {
        guard let degree = config.polyFeatures else { return data }
        guard data.inputShape.count == 1 else {
            throw ConfigurationError("""
                \(setting: .polyFeatures) \(degree): polynomial features need samples that are rows of features, as csv: and npy: \
                data give; \(config.data) gives samples of shape \(data.inputShape)
                """)
        }
        let rows = data.train.count + (data.test?.count ?? 0)
        let polynomial = try polynomialFeatures(degree: degree, inputs: data.inputShape[0], rows: rows)
        var result = data
        result.train = expand(data.train, polynomial)
        result.test = data.test.map { expand($0, polynomial) }
        result.inputShape = [polynomial.outputFeatures]
        result.polynomial = polynomial
        return result
    }

    /// The expansion of `inputs` features to `degree`, refused when its size would exhaust memory.
    static func polynomialFeatures(degree: Int, inputs: Int, rows: Int) throws -> PolynomialFeatures {
        let count = PolynomialFeatures.outputCount(inputFeatures: inputs, degree: degree, interactionOnly: false, includeBias: false)
        let values = count.map { $0.multipliedReportingOverflow(by: Swift.max(rows, 1)) }
        guard let count, count <= maxPolynomialFeatures, let values, !values.overflow, values.partialValue <= maxPolynomialValues else {
            let made = count.map { "\($0) features per sample" } ?? "more features than can be counted"
            throw ConfigurationError("""
                \(setting: .polyFeatures) \(degree): \(inputs) features to degree \(degree) make \(made); \
                the limit is \(maxPolynomialFeatures) features and \(maxPolynomialValues) numbers in all (\(rows) samples); \
                lower the degree or use fewer features
                """)
        }
        return PolynomialFeatures(degree: degree, includeBias: false, inputFeatures: inputs)
    }

    private static func expand(_ set: any Dataset, _ polynomial: PolynomialFeatures) -> any Dataset {
        let all = set.batch(0..<set.count)
        return TensorDataset(inputs: polynomial.transform(all.inputs), targets: all.targets)
    }
}
