import NablaCore
import NablaBackend

/// Per-feature standardization `(x − mean) / std`, as `sklearn.preprocessing.StandardScaler`.
///
/// `fit` takes the mean and population standard deviation (divisor N) of every feature over axis 0;
/// a constant feature gets std 1, so it maps to 0 instead of dividing by zero. Fit on the training
/// set only and apply the same standardizer to validation and test data. It is `Codable`, so it can
/// be saved beside a checkpoint.
///
/// ```swift
/// let table = try CSV.read(contentsOf: url)
/// let (features, labels) = CSV.features(table)
/// let scaler = Standardizer.fit(features)
/// let dataset = TensorDataset(inputs: scaler.transform(features), targets: labels)
/// ```
public struct Standardizer: Codable, Equatable, Sendable {
    /// The mean of each feature.
    public let mean: [Float]
    /// The standard deviation of each feature (1 where the feature was constant).
    public let std: [Float]

    /// A standardizer with known statistics, one entry per feature.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "Standardizer: \(mean.count) means but \(std.count) deviations")
        precondition(std.allSatisfy { $0 > 0 && $0.isFinite }, "Standardizer: deviations \(std) must be positive and finite")
        self.mean = mean
        self.std = std
    }

    /// Fits the per-feature statistics of `features` (samples along axis 0, e.g. `[N, D]`).
    ///
    /// ```swift
    /// let scaler = Standardizer.fit(Tensor([[1, 10], [3, 10]]))   // mean [2, 10], std [1, 1]
    /// ```
    public static func fit(_ features: Tensor) -> Standardizer {
        precondition(features.rank >= 1 && features.shape[0] > 0,
                     "Standardizer.fit: features \(features.shape) need at least one sample along axis 0")
        let rows = features.shape[0], columns = features.count / rows
        var sums = [Double](repeating: 0, count: columns)
        features.withUnsafeBufferPointer { x in
            for row in 0..<rows { for c in 0..<columns { sums[c] += Double(x[row * columns + c]) } }
        }
        let means = sums.map { $0 / Double(rows) }
        var squares = [Double](repeating: 0, count: columns)
        features.withUnsafeBufferPointer { x in
            for row in 0..<rows {
                for c in 0..<columns {
                    let d = Double(x[row * columns + c]) - means[c]
                    squares[c] += d * d
                }
            }
        }
        let deviations = zip(squares, means).map { square, mean -> Float in
            let std = (square / Double(rows)).squareRoot()
            // Below Float resolution relative to the mean, the spread is rounding error: treat as constant.
            return std <= Double(Float.ulpOfOne) * Swift.abs(mean) || !(std > 0) ? 1 : Float(std)
        }
        return Standardizer(mean: means.map { Float($0) }, std: deviations)
    }

    /// `(features − mean) / std`, feature by feature; the layout after axis 0 must match the fit.
    ///
    /// ```swift
    /// scaler.transform(Tensor([[1, 10], [3, 10]]))   // [[-1, 0], [1, 0]]
    /// ```
    public func transform(_ features: Tensor) -> Tensor {
        affine(features, op: "transform", center: mean, scale: std.map { 1 / $0 }, offset: nil)
    }

    /// `features · std + mean`, undoing `transform`.
    ///
    /// ```swift
    /// scaler.inverseTransform(scaler.transform(x))   // x, up to rounding
    /// ```
    public func inverseTransform(_ features: Tensor) -> Tensor {
        affine(features, op: "inverseTransform", center: nil, scale: std, offset: mean)
    }

    /// `(x − center[c]) · scale[c] + offset[c]` for every element x of feature c.
    private func affine(_ features: Tensor, op: String, center: [Float]?, scale: [Float], offset: [Float]?) -> Tensor {
        let columns = mean.count
        precondition(features.rank >= 1 && features.count == features.shape[0] * columns,
                     "Standardizer.\(op): features \(features.shape) do not have the \(columns) features it was fit on")
        let center = center ?? [Float](repeating: 0, count: columns)
        let offset = offset ?? [Float](repeating: 0, count: columns)
        let out = TensorStorage.uninitialized(count: features.count)
        features.withUnsafeBufferPointer { x in
            for row in 0..<features.shape[0] {
                let base = row * columns
                for c in 0..<columns { out.pointer[base + c] = (x[base + c] - center[c]) * scale[c] + offset[c] }
            }
        }
        return Tensor(shape: features.shape, storage: out)
    }
}
