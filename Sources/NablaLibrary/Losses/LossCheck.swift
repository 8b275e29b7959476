import NablaCore
import NablaBackend

/// The input checks the losses run before they compute anything.
///
/// Each check returns a message naming the loss and the offending shapes or values, or `nil` when
/// the input is valid. The losses turn a message into a precondition failure; tests call the checks
/// directly, since a precondition failure cannot be caught.
///
/// ```swift
/// LossCheck.shapeError("mseLoss", input: [4, 3], target: [4])
/// // "mseLoss: input [4, 3] and target [4] differ"
/// ```
public enum LossCheck {
    /// Describes why `input` and `target` (which must have the same shape) differ, or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.shapeError("l1Loss", input: [2], target: [2])   // nil
    /// ```
    public static func shapeError(_ loss: String, input: [Int], target: [Int],
                                  names: (String, String) = ("input", "target")) -> String? {
        input == target ? nil : "\(loss): \(names.0) \(input) and \(names.1) \(target) differ"
    }

    /// Describes the first target that is not an integral class index in `0..<classes`
    /// (a target equal to `ignoreIndex` is allowed), or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.classIndexError("crossEntropy", targets: Tensor([3, 12]), classes: 10)
    /// // "crossEntropy: target 12 is out of range for 10 classes"
    /// ```
    public static func classIndexError(_ loss: String, targets: Tensor, classes: Int, ignoreIndex: Int? = nil) -> String? {
        targets.withUnsafeBufferPointer { values in
            for v in values {
                guard v.isFinite, v == v.rounded() else { return "\(loss): target \(v) is not an integer class index" }
                if let ignoreIndex, Float(ignoreIndex) == v { continue }
                if v < 0 || v >= Float(classes) {
                    return "\(loss): target \(describe(v)) is out of range for \(classes) classes"
                }
            }
            return nil
        }
    }

    /// Describes the first element of `values` outside `range` (NaN included), or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.rangeError("binaryCrossEntropy", "targets", Tensor([0, 1.5]), in: 0...1)
    /// // "binaryCrossEntropy: targets must lie in [0, 1], found 1.5"
    /// ```
    public static func rangeError(_ loss: String, _ name: String, _ values: Tensor, in range: ClosedRange<Float>) -> String? {
        values.withUnsafeBufferPointer { buffer in
            guard let bad = buffer.first(where: { !range.contains($0) }) else { return nil }
            return "\(loss): \(name) must lie in [\(describe(range.lowerBound)), \(describe(range.upperBound))], found \(describe(bad))"
        }
    }

    /// Describes the first element of `values` that is not greater than −1 (as log1p needs), or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.aboveMinusOneError("msleLoss", "input", Tensor([0.5, -2]))
    /// // "msleLoss: input must be greater than -1, found -2"
    /// ```
    public static func aboveMinusOneError(_ loss: String, _ name: String, _ values: Tensor) -> String? {
        values.withUnsafeBufferPointer { buffer in
            guard let bad = buffer.first(where: { !($0 > -1) }) else { return nil }
            return "\(loss): \(name) must be greater than -1, found \(describe(bad))"
        }
    }

    /// Describes the first label that is neither −1 nor 1, or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.signLabelError("hingeLoss", labels: Tensor([1, 0]))
    /// // "hingeLoss: labels must be -1 or 1, found 0"
    /// ```
    public static func signLabelError(_ loss: String, labels: Tensor) -> String? {
        labels.withUnsafeBufferPointer { buffer in
            guard let bad = buffer.first(where: { $0 != 1 && $0 != -1 }) else { return nil }
            return "\(loss): labels must be -1 or 1, found \(describe(bad))"
        }
    }

    /// Describes why class `weight` does not fit `classes` classes (it must be 1-D of that size), or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.classWeightError("nllLoss", weight: [3], classes: 4)
    /// // "nllLoss: class weight [3] should have shape [4]"
    /// ```
    public static func classWeightError(_ loss: String, weight: [Int], classes: Int) -> String? {
        weight == [classes] ? nil : "\(loss): class weight \(weight) should have shape [\(classes)]"
    }

    /// Describes why `weight` cannot be broadcast to the loss's `shape`, or returns `nil`.
    ///
    /// ```swift
    /// LossCheck.broadcastWeightError("binaryCrossEntropy", "weight", weight: [3], shape: [4, 2])
    /// // "binaryCrossEntropy: weight [3] cannot be broadcast to input [4, 2]"
    /// ```
    public static func broadcastWeightError(_ loss: String, _ name: String, weight: [Int], shape: [Int]) -> String? {
        Shape.broadcast(weight, shape) == shape ? nil : "\(loss): \(name) \(weight) cannot be broadcast to input \(shape)"
    }

    /// Traps with `message` when it is non-nil.
    static func require(_ message: String?) {
        if let message { preconditionFailure(message) }
    }

    /// `12` rather than `12.0` for integral values, so messages read naturally.
    static func describe(_ v: Float) -> String {
        if v.isFinite, v == v.rounded(), Swift.abs(v) < 1e9 { return String(Int(v)) }
        return "\(v)"
    }
}
