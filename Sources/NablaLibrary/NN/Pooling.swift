import NablaCore
import NablaBackend

/// Pooling layers over NCHW input, as `torch.nn.MaxPool2d`, `AvgPool2d` and `AdaptiveAvgPool2d`.
package func poolOutputShape(_ name: String, _ input: [Int], _ window: Window2d) throws(ShapeError) -> [Int] {
    guard input.count == 4 else { throw ShapeError("\(name): expected input [N, C, H, W], got \(input)") }
    let (h, w) = (window.outputHeight(input[2]), window.outputWidth(input[3]))
    guard h > 0 && w > 0 else { throw ShapeError("\(name): input \(input) is smaller than the \(window.kernel) window") }
    return [input[0], input[1], h, w]
}

/// Max over each window; the stride defaults to the kernel size.
///
/// ```swift
/// let pool = MaxPool2d(2)   // [N, C, 28, 28] → [N, C, 14, 14]
/// ```
public final class MaxPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        super.init()
    }

    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    override public var typeName: String { "MaxPool2d(\(kernelSize.0)×\(kernelSize.1))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try poolOutputShape(typeName, input, Window2d(kernel: kernelSize, stride: stride, padding: padding))
    }

    override public func forward(_ input: Tensor) -> Tensor {
        Functional.maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Mean over each window; padding counts toward the divisor unless `countIncludePad` is false.
public final class AvgPool2d: Module {
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    public let countIncludePad: Bool

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
        super.init()
    }

    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    override public var typeName: String { "AvgPool2d(\(kernelSize.0)×\(kernelSize.1))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        try poolOutputShape(typeName, input, Window2d(kernel: kernelSize, stride: stride, padding: padding))
    }

    override public func forward(_ input: Tensor) -> Tensor {
        Functional.avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Average pooling to a fixed output size, as `torch.nn.AdaptiveAvgPool2d`: output cell (i, j)
/// averages rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and the matching columns. `(1, 1)` is global average pooling.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int, Int)

    public init(_ outputSize: (Int, Int)) {
        precondition(outputSize.0 > 0 && outputSize.1 > 0, "AdaptiveAvgPool2d: output size must be positive")
        self.outputSize = outputSize
        super.init()
    }

    override public var typeName: String { "AdaptiveAvgPool2d(\(outputSize.0)×\(outputSize.1))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 else { throw ShapeError("\(typeName): expected input [N, C, H, W], got \(input)") }
        return [input[0], input[1], outputSize.0, outputSize.1]
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let (h, w) = (input.shape[2], input.shape[3])
        if h % outputSize.0 == 0 && w % outputSize.1 == 0 {
            let k = (h / outputSize.0, w / outputSize.1)
            return Functional.avgPool2d(input, kernelSize: k, stride: k)
        }
        var rows: [Tensor] = []
        for i in 0..<outputSize.0 {
            let (r0, r1) = (i * h / outputSize.0, ((i + 1) * h + outputSize.0 - 1) / outputSize.0)
            var cells: [Tensor] = []
            for j in 0..<outputSize.1 {
                let (c0, c1) = (j * w / outputSize.1, ((j + 1) * w + outputSize.1 - 1) / outputSize.1)
                cells.append(input.narrow(axis: 2, start: r0, length: r1 - r0).narrow(axis: 3, start: c0, length: c1 - c0)
                    .mean(axes: [2, 3], keepDims: true))
            }
            rows.append(Tensor.cat(cells, axis: 3))
        }
        return Tensor.cat(rows, axis: 2)
    }
}

/// Global average pooling: [N, C, H, W] → [N, C], the mean of each channel.
public final class GlobalAvgPool2d: Module {
    override public init() { super.init() }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 else { throw ShapeError("GlobalAvgPool2d: expected input [N, C, H, W], got \(input)") }
        return [input[0], input[1]]
    }

    override public func forward(_ input: Tensor) -> Tensor { input.mean(axes: [2, 3]) }
}
