import NablaCore
import NablaBackend

extension LayerKind {
    /// The kinds registered in this file, in the order help lists them.
    static let convolution: [LayerKind] = [.conv2d, .maxPool2d, .avgPool2d, .adaptiveAvgPool2d, .globalAvgPool2d]

    /// `conv2d: {out, in, kernel, stride, padding, dilation, bias}`: a square-kernel `Conv2d`; `padding`
    /// is a number or "same".
    public static let conv2d = LayerKind(
        "conv2d", "Conv2d", "a 2-D convolution with a square kernel over [N, C, H, W]",
        parameters: [.int("out", "output channels; the model's outputs when left out"),
                     .int("in", "input channels, inferred; when given, it is checked"),
                     .int("kernel", required: "{out: 16, kernel: 3}", "the kernel's height and width"),
                     .int("stride", default: 1, "the step between windows"),
                     .padding("padding", default: .size(0), "zeros added on every side, or \"same\" to keep the size (stride 1)"),
                     .int("dilation", default: 1, "the spacing between kernel elements"),
                     .bool("bias", default: true, "whether to add a learned bias")],
        label: { layer, input, outputs in
            let channels = layer.int(optional: "in").map(String.init) ?? (input.count == 4 ? String(input[1]) : "?")
            return "Conv2d \(channels)→\((layer.int(optional: "out") ?? outputs).map(String.init) ?? "?")"
        },
        make: { layer, c throws(ModelSpecError) in try makeConv2d(layer, c) })

    private static func makeConv2d(_ layer: LayerSpec, _ c: LayerBuildContext) throws(ModelSpecError) -> Module {
        let out = try c.resolvedOut(layer.int(optional: "out"))
        let (kernel, stride, dilation, bias) = (layer.int("kernel"), layer.int("stride"), layer.int("dilation"), layer.bool("bias"))
        guard c.input.count == 4 else {
            let hint = c.input.count == 2 ? "; give `input` as [C, H, W] and put convolutions before any flatten or linear layer" : ""
            throw c.fail("gets input \(c.shownInput); Conv2d needs [N, C, H, W]\(hint)")
        }
        let channels = c.input[1]
        if let declared = layer.int(optional: "in"), declared != channels {
            throw c.fail("gets \(channels) channel\(channels == 1 ? "" : "s"); set `in: \(channels)` or leave `in` out to infer it")
        }
        try c.check(out, in: 1...(1 << 16), "out")
        try c.check(kernel, in: 1...1024, "kernel")
        try c.check(stride, in: 1...1024, "stride")
        try c.check(dilation, in: 1...1024, "dilation")
        let padding: Conv2d.Padding
        switch layer.padding("padding") {
        case .same:
            guard stride == 1 && dilation * (kernel - 1) % 2 == 0 else {
                throw c.fail("has padding \"same\", which needs stride 1 and an odd kernel, as in PyTorch; give the padding as a number")
            }
            padding = .same
        case .size(let size):
            try c.check(size, in: 0...4096, "padding")
            try c.checkWindow(dilation * (kernel - 1) + 1, padding: size)
            padding = .explicit(size, size)
        }
        try c.reserve(SpecBuilder.count([out, channels, kernel, kernel]).map { $0 + (bias ? out : 0) } ?? Int.max)
        return Conv2d(channels, out, kernelSize: (kernel, kernel), stride: (stride, stride), padding: padding,
                      dilation: (dilation, dilation), bias: bias)
    }

    /// `maxpool2d: {kernel, stride, padding}`; the stride defaults to the kernel.
    public static let maxPool2d = pooling("maxpool2d", "MaxPool2d", "the largest value of each window") {
        MaxPool2d($0, stride: $1, padding: $2)
    }

    /// `avgpool2d: {kernel, stride, padding}`; the stride defaults to the kernel.
    public static let avgPool2d = pooling("avgpool2d", "AvgPool2d", "the mean of each window, counting padding zeros") {
        AvgPool2d($0, stride: $1, padding: $2)
    }

    private static func pooling(_ name: String, _ displayName: String, _ summary: String,
                                _ module: @escaping @Sendable (_ kernel: Int, _ stride: Int?, _ padding: Int) -> Module) -> LayerKind {
        LayerKind(name, displayName, summary + ", over [N, C, H, W]",
                  parameters: [.int("kernel", required: "2", "the window's height and width"),
                               .int("stride", "the step between windows; the kernel when left out"),
                               .int("padding", default: 0, "padding on every side, at most half the kernel")],
                  make: { layer, c throws(ModelSpecError) in
                      let (kernel, stride, padding) = (layer.int("kernel"), layer.int(optional: "stride"), layer.int("padding"))
                      try c.check(kernel, in: 1...1024, "kernel")
                      try c.check(stride ?? kernel, in: 1...1024, "stride")
                      try c.check(padding, in: 0...(kernel / 2), "padding", note: "at most half the kernel, as in PyTorch")
                      try c.checkWindow(kernel, padding: padding)
                      return module(kernel, stride, padding)
                  })
    }

    /// `adaptiveavgpool2d: size` or `[height, width]`.
    public static let adaptiveAvgPool2d = LayerKind(
        "adaptiveavgpool2d", "AdaptiveAvgPool2d", "averages [N, C, H, W] down to [N, C, height, width]",
        parameters: [.size("size", required: "[1, 1]", "the output's height and width, or one number for both")],
        make: { layer, c throws(ModelSpecError) in
            let (height, width) = layer.size("size")
            try c.check(height, in: 1...(1 << 16), "size")
            try c.check(width, in: 1...(1 << 16), "size")
            return AdaptiveAvgPool2d((height, width))
        })

    /// `globalavgpool2d`: [N, C, H, W] → [N, C].
    public static let globalAvgPool2d = LayerKind(
        "globalavgpool2d", "GlobalAvgPool2d", "the mean of each channel, [N, C, H, W] → [N, C]",
        make: { _, _ in GlobalAvgPool2d() })
}

extension LayerSpec {
    /// `conv2d: {out, in, kernel, stride, padding, dilation, bias}`: a square-kernel `Conv2d`.
    public static func conv2d(out: Int?, in input: Int? = nil, kernel: Int, stride: Int = 1, padding: Padding = .size(0),
                              dilation: Int = 1, bias: Bool = true) -> LayerSpec {
        LayerSpec(.conv2d, ["out": out.map(LayerArgument.int), "in": input.map(LayerArgument.int), "kernel": .int(kernel),
                            "stride": .int(stride), "padding": .padding(padding), "dilation": .int(dilation), "bias": .bool(bias)])
    }

    /// `maxpool2d: {kernel, stride, padding}`; the stride defaults to the kernel.
    public static func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> LayerSpec {
        LayerSpec(.maxPool2d, ["kernel": .int(kernel), "stride": stride.map(LayerArgument.int), "padding": .int(padding)])
    }

    /// `avgpool2d: {kernel, stride, padding}`; the stride defaults to the kernel.
    public static func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> LayerSpec {
        LayerSpec(.avgPool2d, ["kernel": .int(kernel), "stride": stride.map(LayerArgument.int), "padding": .int(padding)])
    }

    /// `adaptiveavgpool2d: size` or `[height, width]`.
    public static func adaptiveAvgPool2d(height: Int, width: Int) -> LayerSpec {
        LayerSpec(.adaptiveAvgPool2d, ["size": .size(height: height, width: width)])
    }

    /// `globalavgpool2d`: [N, C, H, W] → [N, C].
    public static var globalAvgPool2d: LayerSpec { LayerSpec(.globalAvgPool2d) }
}
