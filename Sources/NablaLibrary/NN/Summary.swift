import NablaCore
import NablaBackend

/// A Keras-style table of a model's layers: name, type, output shape and parameter count.
public struct ModelSummary: CustomStringConvertible, Sendable {
    public struct Row: Sendable {
        public var name: String, layer: String, outputShape: [Int]?, parameters: Int
    }

    public var rows: [Row]
    public var totalParameters: Int
    public var inputShape: [Int]

    public var description: String {
        let header = ["Layer", "Type", "Output shape", "Params"]
        let body = rows.map { row in
            [row.name, row.layer, row.outputShape.map { "\($0)" } ?? "-", formatCount(row.parameters)]
        }
        let widths = (0..<4).map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, text in
                c == 3 ? String(repeating: " ", count: widths[c] - text.count) + text
                    : text + String(repeating: " ", count: widths[c] - text.count)
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 6)
        return ([line(header), rule] + body.map(line) + [rule,
                "Input shape: \(inputShape)", "Total parameters: \(formatCount(totalParameters))"]).joined(separator: "\n")
    }

    private func formatCount(_ n: Int) -> String {
        var digits = Array(String(n))
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: i)
            i -= 3
        }
        return String(digits)
    }
}

extension Module {
    /// Runs one sample of `inputShape` (batch included) through the model in evaluation mode and
    /// lists every leaf layer with its output shape and parameter count. The mode is restored after.
    ///
    /// ```swift
    /// print(model.summary(inputShape: [1, 1, 28, 28]))
    /// ```
    public func summary(inputShape: [Int]) -> ModelSummary {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        _ = withNoGrad { self(Tensor.zeros(inputShape)) }
        let rows = modules().filter { !$0.0.isEmpty && $0.1.namedChildren.isEmpty }.map { name, module in
            ModelSummary.Row(name: name, layer: module.typeName, outputShape: module.lastOutputShape,
                             parameters: module.ownParameters.reduce(0) { $0 + $1.1.count })
        }
        return ModelSummary(rows: rows, totalParameters: parameterCount, inputShape: inputShape)
    }
}
