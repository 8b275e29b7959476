import NablaCore
import NablaBackend

/// What a model predicts: class scores, real values, or the next token at every position of a
/// sequence (logits [B, T, V] against targets [B, T], scored by loss and bits per character).
public enum Task: String, Sendable, Codable {
    case classification, regression
    case languageModeling = "language-modeling"
}

/// Counts of (true class, predicted class) pairs, with per-class precision and recall.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// `counts[truth][prediction]`.
    public private(set) var counts: [[Int]]

    public init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    /// Adds a batch of logits [N, C] against class-index targets [N].
    public mutating func add(logits: Tensor, targets: Tensor) {
        let predicted = logits.argmax(axis: -1).scalars
        for (p, t) in zip(predicted, targets.scalars) where Int(t) < classes && Int(p) < classes {
            counts[Int(t)][Int(p)] += 1
        }
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { (0..<classes).reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Of the samples predicted as class `c`, the fraction that are `c` (0 when none were predicted).
    public func precision(_ c: Int) -> Double {
        let predicted = (0..<classes).reduce(0) { $0 + counts[$1][c] }
        return predicted == 0 ? 0 : Double(counts[c][c]) / Double(predicted)
    }

    /// Of the samples of class `c`, the fraction predicted as `c` (0 when there are none).
    public func recall(_ c: Int) -> Double {
        let actual = counts[c].reduce(0, +)
        return actual == 0 ? 0 : Double(counts[c][c]) / Double(actual)
    }
}

/// Accuracy and top-k accuracy of logits [N, C] against class indices [N].
public enum Metrics {
    /// The fraction of rows whose target is among the `k` highest scores.
    public static func topKAccuracy(logits: Tensor, targets: Tensor, k: Int) -> Double {
        let (n, c) = (logits.shape[0], logits.shape[1])
        guard n > 0 else { return 0 }
        var hits = 0
        logits.withUnsafeBufferPointer { scores in
            let truth = targets.scalars
            for row in 0..<n {
                let target = scores[row * c + Int(truth[row])]
                var higher = 0
                for j in 0..<c where scores[row * c + j] > target { higher += 1 }
                if higher < k { hits += 1 }
            }
        }
        return Double(hits) / Double(n)
    }

    /// The number of rows whose highest score is the target.
    public static func correctCount(logits: Tensor, targets: Tensor) -> Int {
        zip(logits.argmax(axis: -1).scalars, targets.scalars).filter { $0 == $1 }.count
    }
}

/// The outcome of evaluating a model on a data set.
public struct Evaluation: Sendable {
    public var loss: Double
    /// Classification only.
    public var accuracy: Double?
    public var topK: [Int: Double]
    public var confusion: ConfusionMatrix?
    /// Regression only: mean absolute error, root mean squared error and R².
    public var regression: RegressionMetrics?
    public var samples: Int
}

/// Regression scores as scikit-learn defines them: MAE and RMSE over every predicted value, and
/// R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² per output column, averaged over the columns.
///
/// ```swift
/// var metrics = RegressionMetrics()
/// metrics.add(predictions: Tensor([[2.5], [0], [2], [8]]), targets: Tensor([[3], [-0.5], [2], [7]]))
/// metrics.r2   // 0.9486
/// ```
public struct RegressionMetrics: Sendable, Equatable {
    private var count = 0
    private var absolute = 0.0, squared = 0.0
    /// Per output column: Σy, Σy², Σ(y − ŷ)².
    private var sums: [Double] = [], squares: [Double] = [], residuals: [Double] = []

    public init() {}

    /// Adds a batch of predictions and targets with the same number of values per sample.
    public mutating func add(predictions: Tensor, targets: Tensor) {
        precondition(predictions.count == targets.count, "RegressionMetrics: \(predictions.shape) predictions for \(targets.shape) targets")
        let rows = Swift.max(targets.shape.first ?? 1, 1), columns = targets.count / rows
        if sums.isEmpty { (sums, squares, residuals) = ([Double](repeating: 0, count: columns), [Double](repeating: 0, count: columns), [Double](repeating: 0, count: columns)) }
        let (p, y) = (predictions.scalars, targets.scalars)
        for i in 0..<y.count {
            let (target, error) = (Double(y[i]), Double(p[i]) - Double(y[i]))
            absolute += Swift.abs(error)
            squared += error * error
            sums[i % columns] += target
            squares[i % columns] += target * target
            residuals[i % columns] += error * error
        }
        count += rows
    }

    public var mae: Double { absolute / Double(Swift.max(count * sums.count, 1)) }
    public var rmse: Double { (squared / Double(Swift.max(count * sums.count, 1))).squareRoot() }
    /// 1 for a perfect fit, 0 for predicting the mean; a constant target column scores 1 if
    /// predicted exactly and 0 otherwise, as in scikit-learn.
    public var r2: Double {
        guard !sums.isEmpty, count > 0 else { return 0 }
        let n = Double(count)
        let scores = (0..<sums.count).map { c -> Double in
            let total = squares[c] - sums[c] * sums[c] / n
            guard total > 1e-12 * Swift.max(squares[c], 1) else { return residuals[c] == 0 ? 1 : 0 }
            return 1 - residuals[c] / total
        }
        return scores.reduce(0, +) / Double(scores.count)
    }
}

/// Runs `model` over `loader` in evaluation mode without recording gradients, averaging `loss`
/// per sample. The model's mode is restored afterwards.
///
/// ```swift
/// let result = evaluate(model, on: testLoader, loss: { crossEntropy($0, $1) }, task: .classification, classes: 10)
/// print(result.loss, result.accuracy!)
/// ```
public func evaluate(_ model: Module, on loader: DataLoader, loss: (Tensor, Tensor) -> Tensor, task: Task,
                     classes: Int = 0, topK: [Int] = []) -> Evaluation {
    let wasTraining = model.isTraining
    model.eval()
    defer { model.train(wasTraining) }
    var total = 0.0, samples = 0
    var hits = [Int: Double]()
    var confusion = task == .classification ? ConfusionMatrix(classes: classes) : nil
    var regression = task == .regression ? RegressionMetrics() : nil
    withNoGrad {
        for (x, y) in loader.batches(epoch: 0) {
            let out = model(x)
            let n = x.shape[0]
            total += Double(loss(out, y).item) * Double(n)
            samples += n
            if task == .classification {
                confusion?.add(logits: out, targets: y)
                for k in topK { hits[k, default: 0] += Metrics.topKAccuracy(logits: out, targets: y, k: k) * Double(n) }
            } else {
                regression?.add(predictions: out, targets: y)
            }
        }
    }
    let denominator = Double(Swift.max(samples, 1))
    return Evaluation(loss: total / denominator, accuracy: confusion?.accuracy,
                      topK: hits.mapValues { $0 / denominator }, confusion: confusion, regression: regression, samples: samples)
}
