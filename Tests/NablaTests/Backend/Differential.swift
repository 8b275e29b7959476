import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// How closely the CPU and reference backends must agree: |cpu − reference| ≤ atol + rtol·|reference|,
/// NaN matching only NaN.
struct Tolerance: Sendable, CustomStringConvertible {
    let rtol: Float, atol: Float

    /// The same arithmetic in the same order.
    static let exact = Tolerance(rtol: 0, atol: 0)
    /// Sums taken in another order or precision (reductions, products, convolutions, exp).
    static let summed = Tolerance(rtol: 1e-5, atol: 1e-5)
    /// Sums of thousands of terms of size about 1: Float rounding grows with the number of terms, so a
    /// sum that cancels to near 0 keeps an absolute error of some 1e-5 (4e-5 seen for 2,520 terms).
    static let longSums = Tolerance(rtol: 1e-5, atol: 2e-4)

    func accepts(_ a: Float, _ b: Float) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return a == b || Swift.abs(a - b) <= atol + rtol * Swift.abs(b)
    }

    /// The first position where `cpu` and `reference` disagree, described, or nil.
    func mismatch(_ cpu: [Float], _ reference: [Float]) -> String? {
        guard cpu.count == reference.count else { return "\(cpu.count) values against \(reference.count)" }
        guard let i = cpu.indices.first(where: { !accepts(cpu[$0], reference[$0]) }) else { return nil }
        return "element \(i): cpu \(cpu[i]), reference \(reference[i])"
    }

    var description: String { rtol == 0 && atol == 0 ? "exact" : "rtol \(rtol), atol \(atol)" }
}

/// One input of a primitive: its shape, the values it holds and whether it takes a gradient.
struct InputSpec: Sendable {
    enum Values: Sendable {
        /// N(0, 1).
        case normal
        /// Uniform in [0.5, 2]: divisors, bases of powers.
        case positive
        /// Whole numbers in 0..<bound: indices, or values with ties.
        case integers(below: Int)
    }

    let shape: [Int]
    let values: Values
    let requiresGrad: Bool

    static func normal(_ shape: [Int]) -> InputSpec { InputSpec(shape: shape, values: .normal, requiresGrad: true) }
    static func positive(_ shape: [Int]) -> InputSpec { InputSpec(shape: shape, values: .positive, requiresGrad: true) }
    /// Indices below `bound`, without gradient.
    static func index(_ shape: [Int], below bound: Int) -> InputSpec {
        InputSpec(shape: shape, values: .integers(below: bound), requiresGrad: false)
    }
    /// Values in {0, 1, 2}, so that comparisons meet ties; without gradient.
    static func ties(_ shape: [Int]) -> InputSpec { InputSpec(shape: shape, values: .integers(below: 3), requiresGrad: false) }
    /// A 0/1 mask, without gradient.
    static func mask(_ shape: [Int]) -> InputSpec { InputSpec(shape: shape, values: .integers(below: 2), requiresGrad: false) }

    func draw(_ g: inout Generator) -> [Float] {
        (0..<Shape.count(shape)).map { _ in
            switch values {
            case .normal: Float(g.nextNormal())
            case .positive: Float(0.5 + 1.5 * g.nextUniform())
            case .integers(let bound): Float(g.nextInt(below: bound))
            }
        }
    }
}

/// One random instance of a primitive: its inputs, the call that records the primitive, and the options
/// beyond the shapes (axis, window…) for messages.
struct Variant: Sendable, CustomStringConvertible {
    let inputs: [InputSpec]
    let options: String
    let body: @Sendable ([Tensor]) -> Tensor

    init(_ inputs: [InputSpec], _ options: String = "", _ body: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.inputs = inputs
        self.options = options
        self.body = body
    }

    var description: String { inputs.map { "\($0.shape)" }.joined(separator: " ") + (options.isEmpty ? "" : " \(options)") }
}

/// One row of the differential table: a primitive (named `kind.detail`, the kind as in `PrimitiveKind`),
/// reached through the public op that records it, with a generator of random variants and how many to run.
struct PrimitiveRow: Sendable, CustomTestStringConvertible {
    let name: String
    let tolerance: Tolerance
    let count: Int
    let variant: @Sendable (inout Generator) -> Variant

    init(_ name: String, _ tolerance: Tolerance, count: Int = 8, _ variant: @escaping @Sendable (inout Generator) -> Variant) {
        self.name = name
        self.tolerance = tolerance
        self.count = count
        self.variant = variant
    }

    var kind: String { String(name.prefix { $0 != "." }) }
    var testDescription: String { name }

    /// The variants every run draws: the same ones each time, from a seed of the row's name.
    func variants(_ count: Int) -> [Variant] {
        var g = Generator(seed: name.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })
        return (0..<count).map { _ in variant(&g) }
    }
}

/// A forward and backward pass of one variant on one backend.
struct Outcome {
    let output: [Float]
    let shape: [Int]
    /// The gradient of each input that takes one (nil for the others, and when the output has none).
    let grads: [[Float]?]

    /// Runs `variant` on `backend` with the input values `values`, then backward from
    /// loss = Σ out ⊙ w, for fixed pseudo-random weights w.
    static func run(_ variant: Variant, values: [[Float]], on backend: any Backend.Type) -> Outcome {
        Backends.with(backend) {
            let inputs = zip(variant.inputs, values).map { Tensor(shape: $0.shape, scalars: $1, requiresGrad: $0.requiresGrad) }
            let out = variant.body(inputs)
            guard out.requiresGrad else { return Outcome(output: out.scalars, shape: out.shape, grads: inputs.map { _ in nil }) }
            var g = Generator(seed: 99)
            let weights = Tensor(shape: out.shape, scalars: (0..<out.count).map { _ in Float(g.nextNormal()) })
            (out * weights).sum().backward()
            return Outcome(output: out.scalars, shape: out.shape, grads: inputs.map { $0.grad?.scalars })
        }
    }
}

extension Generator {
    /// A whole number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + nextInt(below: range.count) }

    mutating func bool() -> Bool { nextInt(below: 2) == 1 }

    /// A shape of a rank in `rank`, each size in `sizes`.
    mutating func shape(rank: ClosedRange<Int>, sizes: ClosedRange<Int> = 1...5) -> [Int] {
        (0..<int(rank)).map { _ in int(sizes) }
    }

    /// A shape that broadcasts to `shape`: some leading dimensions dropped, some others set to 1.
    mutating func broadcastPartner(of shape: [Int]) -> [Int] {
        let kept = shape.dropFirst(int(0...shape.count))
        return kept.map { nextInt(below: 3) == 0 ? 1 : $0 }
    }

    /// `shape` and a partner broadcasting to it, in either order.
    mutating func broadcastPair(rank: ClosedRange<Int> = 1...4, sizes: ClosedRange<Int> = 1...5) -> ([Int], [Int]) {
        let full = shape(rank: rank, sizes: sizes)
        let partner = broadcastPartner(of: full)
        return bool() ? (full, partner) : (partner, full)
    }
}
