import Foundation
import NablaBackend

extension Tensor: CustomStringConvertible {
    /// PyTorch-style text: `tensor([[1.0000, 2.0000], [3.0000, 4.0000]], requires_grad=True)`.
    public var description: String {
        let values = scalars
        let integral = values.allSatisfy { $0.isFinite && $0 == $0.rounded() && Swift.abs($0) < 1e8 }
        func format(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            if integral { return String(format: "%.0f.", v) }
            let magnitude = Swift.abs(v)
            if magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e8) { return String(format: "%.4e", v) }
            return String(format: "%.4f", v)
        }
        let texts = values.map(format)
        let width = texts.map(\.count).max() ?? 0
        let padded = texts.map { String(repeating: " ", count: width - $0.count) + $0 }
        func render(_ dim: Int, _ offset: Int, _ indent: Int) -> String {
            if dim == shape.count { return padded[offset] }
            let n = shape[dim]
            let inner = Shape.count(Array(shape[(dim + 1)...]))
            let limit = 6
            var parts: [String] = []
            let indices: [Int?] = n > limit ? Array(0..<3) + [nil] + Array((n - 3)..<n) : Array(0..<n)
            for index in indices {
                parts.append(index.map { render(dim + 1, offset + $0 * inner, indent + 1) } ?? "...")
            }
            if dim == shape.count - 1 { return "[" + parts.joined(separator: ", ") + "]" }
            let separator = "," + String(repeating: "\n", count: shape.count - dim - 1) + String(repeating: " ", count: indent + 1)
            return "[" + parts.joined(separator: separator) + "]"
        }
        let body = shape.isEmpty ? padded[0] : render(0, 0, 7)
        return "tensor(" + body + (requiresGrad ? ", requires_grad=True" : "") + ")"
    }
}
