import NablaCore
import NablaBackend

/// 2-D convolution over NCHW input, as `torch.nn.Conv2d` (weight [out, in, kh, kw]).
///
/// ```swift
/// let conv = Conv2d(1, 16, kernelSize: 3, padding: .same)
/// let y = conv(images)   // [N, 1, 28, 28] → [N, 16, 28, 28]
/// ```
public final class Conv2d: Module, WeightInitializable {
    /// Zero padding: explicit sizes, or "same" (output size = input size, stride 1).
    public enum Padding: Sendable, Equatable {
        case explicit(Int, Int)
        case same
        public static let valid = Padding.explicit(0, 0)
        public static func symmetric(_ p: Int) -> Padding { .explicit(p, p) }
    }

    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int
    public let kernelSize: (Int, Int), stride: (Int, Int), dilation: (Int, Int)
    public let padding: Padding

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), bias: Bool = true,
                weightInit: Initializer = .torchDefault) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0,
                     "Conv2d: channels and kernel size must be positive")
        precondition(stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0, "Conv2d: stride and dilation must be positive")
        if padding == .same {
            precondition(stride == (1, 1), "Conv2d: padding \"same\" needs stride 1, as in PyTorch")
            precondition((dilation.0 * (kernelSize.0 - 1)) % 2 == 0 && (dilation.1 * (kernelSize.1 - 1)) % 2 == 0,
                         "Conv2d: padding \"same\" needs an odd effective kernel size")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        let fanIn = inChannels * kernelSize.0 * kernelSize.1
        weight = Parameter(weightInit.tensor([outChannels, inChannels, kernelSize.0, kernelSize.1]))
        self.bias = bias ? Parameter(Initializer.torchDefaultBias(fanIn: fanIn).tensor([outChannels])) : nil
        super.init()
    }

    /// A square kernel, stride, padding and dilation.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, dilation: Int = 1, bias: Bool = true) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: .explicit(padding, padding), dilation: (dilation, dilation), bias: bias)
    }

    /// A square kernel with "same" or explicit padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, padding: Padding, bias: Bool = true) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), padding: padding, bias: bias)
    }

    /// The zero padding applied on each side.
    public var paddingSize: (Int, Int) {
        switch padding {
        case .explicit(let h, let w): return (h, w)
        case .same: return (dilation.0 * (kernelSize.0 - 1) / 2, dilation.1 * (kernelSize.1 - 1) / 2)
        }
    }

    override public var typeName: String { "Conv2d(\(inChannels)→\(outChannels), \(kernelSize.0)×\(kernelSize.1))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4, input[1] == inChannels else {
            throw ShapeError("Conv2d(\(inChannels)→\(outChannels)): expected input [N, \(inChannels), H, W], got \(input)")
        }
        let window = Window2d(kernel: kernelSize, stride: stride, padding: paddingSize, dilation: dilation)
        let (h, w) = (window.outputHeight(input[2]), window.outputWidth(input[3]))
        guard h > 0 && w > 0 else {
            throw ShapeError("\(typeName): input \(input) is smaller than the \(kernelSize.0)×\(kernelSize.1) kernel")
        }
        return [input[0], outChannels, h, w]
    }

    override public func forward(_ input: Tensor) -> Tensor {
        Functional.conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: paddingSize, dilation: dilation)
    }

    public func reinitialize(weight initializer: Initializer, generator: inout Generator) {
        weight.assign(initializer.tensor(weight.shape, generator: &generator))
        bias?.assign(.zeros([outChannels]))
    }
}
