import NablaBackend

/// Convolution and pooling over NCHW tensors, as `torch.nn.functional`.
public enum Functional {
    /// 2-D cross-correlation. `input` [N, C, H, W], `weight` [O, C, kh, kw], `bias` [O].
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
        precondition(input.rank == 4, "conv2d: expected input [N, C, H, W], got \(input.shape)")
        precondition(weight.rank == 4, "conv2d: expected weight [O, C, kh, kw], got \(weight.shape)")
        precondition(input.shape[1] == weight.shape[1],
                     "conv2d: input \(input.shape) has \(input.shape[1]) channels, weight \(weight.shape) expects \(weight.shape[1])")
        if let bias { precondition(bias.shape == [weight.shape[0]], "conv2d: bias \(bias.shape) should be [\(weight.shape[0])]") }
        let window = Window2d(kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
        let s = convShape(input, weight, window)
        let out = TensorStorage.uninitialized(count: s.batch * s.outChannels * s.outPlane)
        Backends.current.conv2dForward(input.storage.pointer, weight: weight.storage.pointer, bias: bias?.storage.pointer, out.pointer, s)
        return .record(.conv2d(window, hasBias: bias != nil), inputs: [input, weight] + (bias.map { [$0] } ?? []),
                       shape: [s.batch, s.outChannels, s.outHeight, s.outWidth], storage: out)
    }

    static func convShape(_ input: Tensor, _ weight: Tensor, _ window: Window2d) -> ConvShape {
        let oh = window.outputHeight(input.shape[2]), ow = window.outputWidth(input.shape[3])
        precondition(window.stride.h > 0 && window.stride.w > 0 && window.dilation.h > 0 && window.dilation.w > 0,
                     "conv2d: stride and dilation must be positive")
        precondition(oh > 0 && ow > 0, "conv2d: input \(input.shape) is smaller than kernel \(Array(weight.shape.suffix(2))) after padding")
        return ConvShape(batch: input.shape[0], channels: input.shape[1], height: input.shape[2], width: input.shape[3],
                         outChannels: weight.shape[0], outHeight: oh, outWidth: ow, window: window)
    }

    /// Max over each window; `stride` defaults to the kernel size, as in PyTorch.
    public static func maxPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Tensor {
        let window = poolWindow("maxPool2d", input, kernelSize, stride, padding, dilation)
        let s = poolShape(input, window)
        let out = TensorStorage.uninitialized(count: s.planes * s.outPlane)
        var winners = [Int32](repeating: 0, count: s.planes * s.outPlane)
        winners.withUnsafeMutableBufferPointer {
            Backends.current.maxPool2d(input.storage.pointer, out.pointer, winners: $0.baseAddress!, s)
        }
        return .record(.maxPool2d(window, winners: IndexStorage(winners)), input: input,
                       shape: [input.shape[0], input.shape[1], s.outHeight, s.outWidth], storage: out)
    }

    /// Mean over each window; padding counts toward the divisor unless `countIncludePad` is false.
    public static func avgPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                                 padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) -> Tensor {
        let window = poolWindow("avgPool2d", input, kernelSize, stride, padding, (1, 1))
        let s = poolShape(input, window)
        let out = TensorStorage.uninitialized(count: s.planes * s.outPlane)
        Backends.current.avgPool2d(input.storage.pointer, out.pointer, s, countIncludePad: countIncludePad)
        return .record(.avgPool2d(window, countIncludePad: countIncludePad), input: input,
                       shape: [input.shape[0], input.shape[1], s.outHeight, s.outWidth], storage: out)
    }

    /// The planes of an NCHW `input` and their output size under `window`.
    static func poolShape(_ input: Tensor, _ window: Window2d) -> PoolShape {
        let (h, w) = (input.shape[2], input.shape[3])
        return PoolShape(planes: input.shape[0] * input.shape[1], height: h, width: w,
                         outHeight: window.outputHeight(h), outWidth: window.outputWidth(w), window: window)
    }

    private static func poolWindow(_ op: String, _ input: Tensor, _ kernel: (Int, Int), _ stride: (Int, Int)?,
                                   _ padding: (Int, Int), _ dilation: (Int, Int)) -> Window2d {
        precondition(input.rank == 4, "\(op): expected input [N, C, H, W], got \(input.shape)")
        precondition(kernel.0 > 0 && kernel.1 > 0, "\(op): kernel size \(kernel) must be positive")
        precondition(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1,
                     "\(op): padding \(padding) should be at most half of kernel size \(kernel)")
        let window = Window2d(kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation)
        precondition(window.outputHeight(input.shape[2]) > 0 && window.outputWidth(input.shape[3]) > 0,
                     "\(op): input \(input.shape) is smaller than the \(kernel) window")
        return window
    }
}
