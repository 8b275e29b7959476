import NablaCore
import NablaBackend

/// Flattens dimensions `startDim...endDim` (by default all but the batch), as `torch.nn.Flatten`.
public final class Flatten: Module {
    public let startDim: Int, endDim: Int

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let rank = input.count
        let s = startDim < 0 ? startDim + rank : startDim, e = endDim < 0 ? endDim + rank : endDim
        guard s >= 0 && e < rank && s <= e else {
            throw ShapeError("Flatten(\(startDim), \(endDim)): cannot flatten input \(input)")
        }
        return Array(input[..<s]) + [Shape.count(Array(input[s...e]))] + Array(input[(e + 1)...])
    }

    override public func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }
}
