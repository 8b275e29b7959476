import Foundation
import NablaCore
import NablaBackend

/// Per-layer gradient norms, for spotting vanishing and exploding gradients.
package struct GradientFlow {
    /// Parameters grouped by the module that owns them (`0`, `fc1`, `layers.2`), in model order.
    let layers: [(name: String, parameters: [Parameter])]
    private var sums: [Double]
    private var steps = 0

    init(model: Module) {
        var groups: [(name: String, parameters: [Parameter])] = []
        for (name, parameter) in model.namedParameters() {
            let layer = name.split(separator: ".").dropLast().joined(separator: ".")
            let key = layer.isEmpty ? "model" : layer
            if let i = groups.firstIndex(where: { $0.name == key }) {
                groups[i].parameters.append(parameter)
            } else {
                groups.append((key, [parameter]))
            }
        }
        layers = groups
        sums = Array(repeating: 0, count: groups.count)
    }

    /// The L2 norm of one parameter list's gradients.
    static func norm(_ parameters: [Parameter]) -> Double {
        var total = 0.0
        for p in parameters {
            guard let g = p.grad else { continue }
            total += g.withUnsafeBufferPointer(sumOfSquares)
        }
        return total.squareRoot()
    }

    /// Σ v², in sixteen independent Float lanes (a single running sum would wait on each addition in turn, which
    /// made this diagnostic a third of an MLP's training step), each parameter's total then added in Double.
    static func sumOfSquares(_ values: UnsafeBufferPointer<Float>) -> Double {
        guard let base = values.baseAddress else { return 0 }
        var lanes = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= values.count {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<Float>.self)
            lanes = v * v + lanes
            i += 16
        }
        var total = Double(lanes.sum())
        while i < values.count {
            total += Double(base[i] * base[i])
            i += 1
        }
        return total
    }

    /// The per-layer sums and the step count since the last `epochMeans`, for a checkpoint taken mid-epoch.
    var partial: (sums: [Double], steps: Int) {
        get { (sums, steps) }
        set { (sums, steps) = newValue }
    }

    /// Records this step's per-layer norms; returns the global norm.
    mutating func record() -> Double {
        var global = 0.0
        for (i, layer) in layers.enumerated() {
            let n = Self.norm(layer.parameters)
            sums[i] += n
            global += n * n
        }
        steps += 1
        return global.squareRoot()
    }

    /// The mean norm of each layer since the last call, then starts over.
    mutating func epochMeans() -> [String: Double] {
        defer {
            sums = Array(repeating: 0, count: layers.count)
            steps = 0
        }
        guard steps > 0 else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(layers.map(\.name), sums.map { $0 / Double(steps) }))
    }

    /// A layer whose mean gradient norm is below this is reported as vanishing.
    public static let vanishingThreshold = 1e-7

    /// Warnings for layers whose mean norm is below 1e-7 (vanishing) or above `explodingThreshold`.
    static func warnings(_ norms: [String: Double], epoch: Int, explodingThreshold: Double) -> [String] {
        norms.sorted { $0.key < $1.key }.compactMap { name, norm in
            if norm < vanishingThreshold {
                return "epoch \(epoch): layer \(name) has a vanishing gradient (mean norm \(String(format: "%.2e", norm)) < 1e-7)"
            }
            if norm > explodingThreshold {
                return "epoch \(epoch): layer \(name) has an exploding gradient (mean norm \(String(format: "%.2e", norm)) > \(explodingThreshold))"
            }
            return nil
        }
    }
}
