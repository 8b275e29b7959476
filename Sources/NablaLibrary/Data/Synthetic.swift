import Foundation
import NablaCore
import NablaBackend

/// Small seeded datasets for trying models, as `sklearn.datasets.make_*`.
///
/// Classification sets return inputs `[count, 2]` and class labels `[count]` (Float values 0 or 1)
/// with the rows shuffled; regression sets return inputs `[count, 1]` and targets `[count, 1]`.
/// `noise` is the standard deviation of Gaussian noise; the same `seed` gives the same set.
///
/// ```swift
/// let data = Synthetic.moons(count: 500, noise: 0.1, seed: 0)
/// let (train, validation) = trainValidationSplit(data, validationFraction: 0.2, seed: 0)
/// ```
public enum Synthetic {
    /// Two interleaved spirals, the classic benchmark that no linear model separates.
    ///
    /// Class k's points are `r·(cos(t + kπ), sin(t + kπ))` with `t = √u · turns · 2π` for `u` uniform in
    /// [0, 1) and radius `r = t / (turns · 2π)`, so both spirals start at the origin and end on the
    /// unit circle; Gaussian `noise` is added to each coordinate. Class 0 gets ⌈count/2⌉ points.
    ///
    /// ```swift
    /// let spirals = Synthetic.twoSpirals(count: 400, noise: 0.02, seed: 1)   // inputs [400, 2], labels [400]
    /// ```
    public static func twoSpirals(count: Int, noise: Double = 0, turns: Double = 1.5, seed: UInt64 = 0) -> TensorDataset {
        precondition(turns > 0, "twoSpirals: turns \(turns) must be positive")
        var generator = Generator(seed: seed)
        let maxAngle = turns * 2 * Double.pi
        var points = ClassificationPoints(count: count, op: "twoSpirals", noise: noise)
        for i in 0..<count {
            let label = i < (count + 1) / 2 ? 0 : 1
            let t = generator.nextUniform().squareRoot() * maxAngle
            let radius = t / maxAngle, angle = t + Double(label) * Double.pi
            points.append(radius * Foundation.cos(angle), radius * Foundation.sin(angle), label: label, &generator)
        }
        return points.dataset(&generator)
    }

    /// Two interleaving half circles, as `sklearn.datasets.make_moons`.
    ///
    /// Class 0 (⌊count/2⌋ points) lies evenly on the upper half of the unit circle, `(cos t, sin t)` for
    /// t from 0 to π; class 1 on the lower half circle `(1 − cos t, 0.5 − sin t)`. Then Gaussian `noise`.
    ///
    /// ```swift
    /// let moons = Synthetic.moons(count: 200, noise: 0.1, seed: 0)
    /// ```
    public static func moons(count: Int, noise: Double = 0, seed: UInt64 = 0) -> TensorDataset {
        var generator = Generator(seed: seed)
        let outer = count / 2, inner = count - outer
        var points = ClassificationPoints(count: count, op: "moons", noise: noise)
        for i in 0..<outer {
            let t = Double.pi * Double(i) / Double(Swift.max(outer - 1, 1))
            points.append(Foundation.cos(t), Foundation.sin(t), label: 0, &generator)
        }
        for i in 0..<inner {
            let t = Double.pi * Double(i) / Double(Swift.max(inner - 1, 1))
            points.append(1 - Foundation.cos(t), 0.5 - Foundation.sin(t), label: 1, &generator)
        }
        return points.dataset(&generator)
    }

    /// Two concentric circles, as `sklearn.datasets.make_circles`: class 0 (⌊count/2⌋ points) evenly on
    /// the unit circle, class 1 on the circle of radius `factor`, then Gaussian `noise`. No straight
    /// line separates them; the quadratic boundary x² + y² = r² does.
    ///
    /// ```swift
    /// let circles = Synthetic.circles(count: 400, noise: 0.05, factor: 0.5, seed: 0)
    /// ```
    public static func circles(count: Int, noise: Double = 0, factor: Double = 0.5, seed: UInt64 = 0) -> TensorDataset {
        precondition(factor > 0 && factor < 1, "circles: factor \(factor) must be in (0, 1)")
        var generator = Generator(seed: seed)
        let outer = count / 2, inner = count - outer
        var points = ClassificationPoints(count: count, op: "circles", noise: noise)
        for (n, radius, label) in [(outer, 1.0, 0), (inner, factor, 1)] {
            for i in 0..<n {
                let t = 2 * Double.pi * Double(i) / Double(n)
                points.append(radius * Foundation.cos(t), radius * Foundation.sin(t), label: label, &generator)
            }
        }
        return points.dataset(&generator)
    }

    /// The XOR problem: four Gaussian clusters at (±1, ±1); a point's label is 1 when its cluster's
    /// coordinates have different signs and 0 when they have the same sign.
    ///
    /// Points go to the clusters (1, 1), (1, −1), (−1, −1), (−1, 1) in turn, so each cluster gets
    /// ⌊count/4⌋ or one more and the classes differ in size by at most one. `noise` is each cluster's
    /// standard deviation.
    ///
    /// ```swift
    /// let xor = Synthetic.xor(count: 400, noise: 0.2, seed: 0)
    /// ```
    public static func xor(count: Int, noise: Double = 0, seed: UInt64 = 0) -> TensorDataset {
        var generator = Generator(seed: seed)
        let centers: [(Double, Double)] = [(1, 1), (1, -1), (-1, -1), (-1, 1)]
        var points = ClassificationPoints(count: count, op: "xor", noise: noise)
        for i in 0..<count {
            let (x, y) = centers[i % 4]
            points.append(x, y, label: x * y < 0 ? 1 : 0, &generator)
        }
        return points.dataset(&generator)
    }

    /// Points on the line `y = slope·x + intercept` with Gaussian `noise` on y, for x uniform in [-1, 1].
    ///
    /// ```swift
    /// let line = Synthetic.noisyLine(count: 100, slope: 2, intercept: -1, noise: 0.1, seed: 0)
    /// // a Linear(1, 1) trained on it recovers weight ≈ 2 and bias ≈ -1
    /// ```
    public static func noisyLine(count: Int, slope: Double, intercept: Double, noise: Double = 0,
                                 seed: UInt64 = 0) -> TensorDataset {
        regression(count: count, range: -1...1, noise: noise, seed: seed, op: "noisyLine") { slope * $0 + intercept }
    }

    /// Samples of `y = sin(x)` with Gaussian `noise` on y, for x uniform in [-π, π].
    ///
    /// ```swift
    /// let wave = Synthetic.sineWave(count: 256, noise: 0.05, seed: 0)   // inputs [256, 1], targets [256, 1]
    /// ```
    public static func sineWave(count: Int, noise: Double = 0, seed: UInt64 = 0) -> TensorDataset {
        regression(count: count, range: -Double.pi...Double.pi, noise: noise, seed: seed, op: "sineWave") {
            Foundation.sin($0)
        }
    }

    /// `count` points with x uniform in `range` and targets `function(x)` plus Gaussian noise.
    private static func regression(count: Int, range: ClosedRange<Double>, noise: Double, seed: UInt64, op: String,
                                   _ function: (Double) -> Double) -> TensorDataset {
        precondition(count >= 0 && noise >= 0, "\(op): count \(count) and noise \(noise) must be non-negative")
        var generator = Generator(seed: seed)
        var inputs = [Float](repeating: 0, count: count), targets = [Float](repeating: 0, count: count)
        let span = range.upperBound - range.lowerBound
        for i in 0..<count {
            let x = range.lowerBound + span * generator.nextUniform()
            inputs[i] = Float(x)
            targets[i] = Float(function(x) + noise * generator.nextNormal())
        }
        return TensorDataset(inputs: Tensor(shape: [count, 1], scalars: inputs),
                             targets: Tensor(shape: [count, 1], scalars: targets))
    }
}

/// Collects labelled 2-D points, adds noise and shuffles the rows.
private struct ClassificationPoints {
    var coordinates: [Float] = []
    var labels: [Float] = []
    let noise: Double

    init(count: Int, op: String, noise: Double) {
        precondition(count >= 0 && noise >= 0, "\(op): count \(count) and noise \(noise) must be non-negative")
        coordinates.reserveCapacity(2 * count)
        labels.reserveCapacity(count)
        self.noise = noise
    }

    mutating func append(_ x: Double, _ y: Double, label: Int, _ generator: inout Generator) {
        let nx = noise > 0 ? noise * generator.nextNormal() : 0
        let ny = noise > 0 ? noise * generator.nextNormal() : 0
        coordinates.append(Float(x + nx))
        coordinates.append(Float(y + ny))
        labels.append(Float(label))
    }

    /// The points in a seeded random order, like sklearn's `shuffle=True`.
    func dataset(_ generator: inout Generator) -> TensorDataset {
        let order = generator.permutation(labels.count)
        var shuffledCoordinates = [Float](repeating: 0, count: coordinates.count)
        var shuffledLabels = [Float](repeating: 0, count: labels.count)
        for (row, source) in order.enumerated() {
            shuffledCoordinates[2 * row] = coordinates[2 * source]
            shuffledCoordinates[2 * row + 1] = coordinates[2 * source + 1]
            shuffledLabels[row] = labels[source]
        }
        return TensorDataset(inputs: Tensor(shape: [labels.count, 2], scalars: shuffledCoordinates),
                             targets: Tensor(shape: [labels.count], scalars: shuffledLabels))
    }
}
