import NablaCore
import NablaBackend

/// Layer normalization over the trailing `normalizedShape` dimensions, as `torch.nn.LayerNorm`:
/// y = (x − mean) / √(var + eps) · weight + bias, with the biased variance.
///
/// ```swift
/// let norm = LayerNorm([64])
/// ```
public final class LayerNorm: Module, NormalizationLayer {
    public let weight: Parameter?, bias: Parameter?
    public let normalizedShape: [Int]
    public let eps: Float

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: invalid shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(.zeros(normalizedShape)) : nil
        super.init()
    }

    override public var typeName: String { "LayerNorm(\(normalizedShape))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count >= normalizedShape.count, Array(input.suffix(normalizedShape.count)) == normalizedShape else {
            throw ShapeError("\(typeName): expected input [..., \(normalizedShape.map(String.init).joined(separator: ", "))], got \(input)")
        }
        return input
    }

    override public func forward(_ input: Tensor) -> Tensor {
        Functional.layerNorm(input, normalizedShape: normalizedShape, weight: weight?.value, bias: bias?.value, eps: eps)
    }
}
