import NablaCore
import NablaBackend

/// Builds the layer list of a `Sequential`.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: Module) -> [Module] { [layer] }
    public static func buildExpression(_ layers: [Module]) -> [Module] { layers }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}

/// Layers applied in order, named `0`, `1`, … as in `torch.nn.Sequential`.
///
/// ```swift
/// let model = Sequential {
///     Flatten()
///     Linear(784, 256)
///     ReLU()
///     Linear(256, 10)
/// }
/// ```
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    public convenience init(@LayerBuilder _ build: () -> [Module]) { self.init(build()) }

    override public var namedChildren: [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var shape = input
        for (i, layer) in layers.enumerated() {
            do {
                shape = try layer.outputShape(for: shape)
            } catch {
                throw ShapeError("layer \(i) (\(layer.typeName)): \(Self.strip(error.message, layer.typeName))")
            }
        }
        return shape
    }

    /// Drops a leading "Name: " already carried by the layer prefix.
    private static func strip(_ message: String, _ name: String) -> String {
        message.hasPrefix(name + ": ") ? String(message.dropFirst(name.count + 2)) : message
    }

    override public func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
}
