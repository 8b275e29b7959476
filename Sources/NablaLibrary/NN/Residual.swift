import NablaCore
import NablaBackend

/// y = shortcut(x) + body(x): the identity shortcut, or a projection (such as a 1×1 Conv2d with
/// BatchNorm) when the body changes the shape.
///
/// ```swift
/// let block = Residual(Sequential { Conv2d(16, 16, kernelSize: 3, padding: .same); BatchNorm2d(16); ReLU() })
/// ```
public final class Residual: Module {
    public let body: Module
    public let shortcut: Module?

    public init(_ body: Module, projection: Module? = nil) {
        self.body = body
        self.shortcut = projection
        super.init()
    }

    override public var namedChildren: [(String, Module)] {
        [("body", body)] + (shortcut.map { [("shortcut", $0)] } ?? [])
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let out = try body.outputShape(for: input)
        let skip = try shortcut?.outputShape(for: input) ?? input
        guard out == skip else {
            throw ShapeError("Residual: body gives \(out) but the shortcut gives \(skip); add a projection")
        }
        return out
    }

    override public func forward(_ input: Tensor) -> Tensor {
        body(input) + (shortcut?(input) ?? input)
    }
}
