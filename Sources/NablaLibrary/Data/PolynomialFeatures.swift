import NablaCore
import NablaBackend

/// Polynomial and interaction features up to a degree, as `sklearn.preprocessing.PolynomialFeatures`,
/// with the same column order: the bias `1`, then the degree-1 terms, then each higher degree's
/// monomials in lexicographic order of their feature indices (`x0², x0·x1, x0·x2, x1², …`).
///
/// It adds features for a model that under-fits: a linear model on `x0, x1, x0², x0·x1, x1²` draws a
/// quadratic decision boundary. Expand before standardizing, as a scikit-learn pipeline would. It is
/// `Codable`, so a run saves it with the model and applies it again to new data.
///
/// ```swift
/// let poly = PolynomialFeatures(degree: 2, inputFeatures: 2)
/// poly.transform(Tensor([[2, 3]]))   // [[1, 2, 3, 4, 6, 9]]
/// poly.featureNames()                // ["1", "x0", "x1", "x0^2", "x0 x1", "x1^2"]
/// ```
public struct PolynomialFeatures: Codable, Equatable, Sendable {
    /// The highest total degree of a monomial.
    public let degree: Int
    /// Keep only products of distinct features (`x0·x1`, never `x0²`).
    public let interactionOnly: Bool
    /// Start with a column of ones.
    public let includeBias: Bool
    /// The number of features each input sample has.
    public let inputFeatures: Int

    /// An expansion of samples with `inputFeatures` features.
    ///
    /// - Precondition: `degree ≥ 0`, `inputFeatures ≥ 1`, and `outputCount(...)` is not `nil`.
    public init(degree: Int, interactionOnly: Bool = false, includeBias: Bool = true, inputFeatures: Int) {
        precondition(degree >= 0 && inputFeatures >= 1, "PolynomialFeatures: degree \(degree) and \(inputFeatures) input features")
        precondition(Self.outputCount(inputFeatures: inputFeatures, degree: degree, interactionOnly: interactionOnly,
                                      includeBias: includeBias) != nil,
                     "PolynomialFeatures: degree \(degree) of \(inputFeatures) features makes too many features to count")
        self.degree = degree
        self.interactionOnly = interactionOnly
        self.includeBias = includeBias
        self.inputFeatures = inputFeatures
    }

    /// Decodes an expansion, refusing settings `init` would stop on (a hostile file is no programming error).
    public init(from decoder: Decoder) throws {
        enum Keys: String, CodingKey { case degree, interactionOnly, includeBias, inputFeatures }
        let container = try decoder.container(keyedBy: Keys.self)
        let degree = try container.decode(Int.self, forKey: .degree)
        let inputFeatures = try container.decode(Int.self, forKey: .inputFeatures)
        let interactionOnly = try container.decode(Bool.self, forKey: .interactionOnly)
        let includeBias = try container.decode(Bool.self, forKey: .includeBias)
        guard degree >= 0, inputFeatures >= 1, Self.outputCount(inputFeatures: inputFeatures, degree: degree,
                                                                interactionOnly: interactionOnly, includeBias: includeBias) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .degree, in: container,
                                                   debugDescription: "degree \(degree) of \(inputFeatures) features is no expansion")
        }
        self.init(degree: degree, interactionOnly: interactionOnly, includeBias: includeBias, inputFeatures: inputFeatures)
    }

    /// How many features the expansion gives, or `nil` when the count does not fit in an `Int`:
    /// C(n + d, d) monomials of degree ≤ d (Σ C(n, k) for k ≤ d with `interactionOnly`), less the bias.
    ///
    /// ```swift
    /// PolynomialFeatures.outputCount(inputFeatures: 3, degree: 2, interactionOnly: false, includeBias: true)   // 10
    /// ```
    public static func outputCount(inputFeatures n: Int, degree: Int, interactionOnly: Bool, includeBias: Bool) -> Int? {
        var total = 0, term = 1   // term: the number of monomials of degree k
        for k in 0...Swift.max(degree, 0) {
            if k > 0 {
                // With repetition: C(n + k − 1, k) = C(n + k − 2, k − 1) · (n + k − 1) / k; without: C(n, k).
                let top = interactionOnly ? n - k + 1 : n + k - 1
                guard top > 0 else { break }
                let (product, overflow) = term.multipliedReportingOverflow(by: top)
                guard !overflow else { return nil }
                term = product / k
            }
            let (sum, overflow) = total.addingReportingOverflow(term)
            guard !overflow else { return nil }
            total = sum
        }
        return includeBias ? total : total - 1
    }

    /// The number of features of an expanded sample.
    public var outputFeatures: Int {
        Self.outputCount(inputFeatures: inputFeatures, degree: degree, interactionOnly: interactionOnly, includeBias: includeBias)!
    }

    /// Each output column as the sorted feature indices it multiplies (`[]` is the bias).
    public var terms: [[Int]] {
        var all: [[Int]] = [[]], previous: [[Int]] = [[]]
        for _ in 0..<degree {
            // Extend each monomial of the previous degree by a feature at or after its last one.
            previous = previous.flatMap { term in
                let first = term.last.map { interactionOnly ? $0 + 1 : $0 } ?? 0
                return (first..<inputFeatures).map { term + [$0] }
            }
            all += previous
        }
        return includeBias ? all : Array(all.dropFirst())
    }

    /// The columns' names as scikit-learn's `get_feature_names_out` writes them: `1`, `x0`, `x0^2`, `x0 x1`.
    ///
    /// - Parameter inputNames: the input features' names; `nil` names them `x0`, `x1`, ….
    public func featureNames(_ inputNames: [String]? = nil) -> [String] {
        let names = inputNames ?? (0..<inputFeatures).map { "x\($0)" }
        precondition(names.count == inputFeatures, "PolynomialFeatures.featureNames: \(names.count) names for \(inputFeatures) features")
        return terms.map { term in
            guard !term.isEmpty else { return "1" }
            var powers: [(Int, Int)] = []
            for index in term {
                if let last = powers.last, last.0 == index { powers[powers.count - 1].1 += 1 } else { powers.append((index, 1)) }
            }
            return powers.map { $0.1 == 1 ? names[$0.0] : "\(names[$0.0])^\($0.1)" }.joined(separator: " ")
        }
    }

    /// The expanded features `[N, outputFeatures]` of samples `[N, inputFeatures]` (or `[N]` for one feature).
    public func transform(_ features: Tensor) -> Tensor {
        precondition(features.rank >= 1 && features.count == features.shape[0] * inputFeatures,
                     "PolynomialFeatures.transform: features \(features.shape) do not have the \(inputFeatures) features it expands")
        let (parents, factors) = recurrence()
        let rows = features.shape[0], width = parents.count, skip = includeBias ? 0 : 1
        let out = TensorStorage.uninitialized(count: rows * (width - skip))
        var row = [Float](repeating: 1, count: width)
        features.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                // Each monomial is its parent (the monomial without its last factor) times that factor.
                for c in 1..<width { row[c] = row[parents[c]] * x[r * inputFeatures + factors[c]] }
                for c in skip..<width { out.pointer[r * (width - skip) + c - skip] = row[c] }
            }
        }
        return Tensor(shape: [rows, width - skip], storage: out)
    }

    /// For every monomial with the bias first: the column of its parent, and the feature of its last factor.
    private func recurrence() -> (parents: [Int], factors: [Int]) {
        let all = PolynomialFeatures(degree: degree, interactionOnly: interactionOnly, includeBias: true, inputFeatures: inputFeatures).terms
        var column: [[Int]: Int] = [:]
        var parents = [0], factors = [0]
        for (index, term) in all.enumerated() {
            column[term] = index
            guard let last = term.last else { continue }
            parents.append(column[Array(term.dropLast())]!)
            factors.append(last)
        }
        return (parents, factors)
    }
}
