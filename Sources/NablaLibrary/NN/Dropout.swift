import NablaCore
import NablaBackend

/// Inverted dropout, as `torch.nn.Dropout`: in training each element is zeroed with probability
/// `p` and the survivors are scaled by 1/(1 − p); in evaluation it is the identity.
///
/// ```swift
/// let drop = Dropout(0.5)
/// drop.eval()   // now drop(x) == x
/// ```
public final class Dropout: Module {
    public let p: Float

    public init(_ p: Float = 0.5) {
        precondition(p >= 0 && p < 1, "Dropout: probability \(p) must be in [0, 1)")
        self.p = p
        super.init()
    }

    override public var typeName: String { "Dropout(\(p))" }

    override public func forward(_ input: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return input }
        let keep = 1 - p
        var scalars = [Float](repeating: 0, count: input.count)
        Random.with { g in
            for i in scalars.indices where g.nextUniform() >= Double(p) { scalars[i] = 1 / keep }
        }
        return input * Tensor(shape: input.shape, scalars: scalars)
    }
}
