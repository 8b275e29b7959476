import NablaCore
import NablaBackend

extension LayerKind {
    /// The kinds registered in this file, in the order help lists them.
    static let dense: [LayerKind] = [.linear, .flatten, .dropout, .batchNorm1d, .batchNorm2d, .layerNorm, .softmax, .logSoftmax, .residual]

    /// `linear: {out, in, bias}`: `Linear(in, out)`; `in` is inferred, `out` left out means the model's outputs.
    public static let linear = LayerKind(
        "linear", "Linear", "a fully connected layer, x·Wᵀ + b over the last dimension",
        parameters: [.int("out", "output features; the model's outputs when left out"),
                     .int("in", "input features, inferred; when given, it is checked"),
                     .bool("bias", default: true, "whether to add a learned bias")],
        label: { layer, input, outputs in
            let out = (layer.int(optional: "out") ?? outputs).map(String.init) ?? "?"
            return "Linear \(layer.int(optional: "in") ?? input[input.count - 1])→\(out)"
        },
        make: { layer, c throws(ModelSpecError) in
            let (features, bias) = (c.features, layer.bool("bias"))
            let out = try c.resolvedOut(layer.int(optional: "out"))
            try c.check(out, in: 1...(1 << 20), "out")
            if let declared = layer.int(optional: "in"), declared != features {
                throw c.fail("gets \(features) features; set `in: \(features)` or leave `in` out to infer it")
            }
            try c.reserve(features * out + (bias ? out : 0))
            return Linear(features, out, bias: bias)
        })

    /// `flatten: {start, end}`; `start` must leave the batch dimension alone.
    public static let flatten = LayerKind(
        "flatten", "Flatten", "merges the dimensions start...end into one",
        parameters: [.int("start", default: 1, "the first dimension merged; at least 1, so that samples stay apart"),
                     .int("end", default: -1, "the last dimension merged; negative counts from the end")],
        make: { layer, c throws(ModelSpecError) in
            let (start, end) = (layer.int("start"), layer.int("end"))
            guard start >= 1 || (start < 0 && start + c.input.count >= 1) else {
                throw c.fail("has start = \(start), which would flatten the batch dimension and mix samples; start at 1 or later")
            }
            return Flatten(startDim: start, endDim: end)
        })

    /// `dropout: p`.
    public static let dropout = LayerKind(
        "dropout", "Dropout", "zeroes each value with probability p while training, scaling the rest by 1/(1 − p)",
        parameters: [.float("p", default: 0.5, "the probability of zeroing a value")],
        make: { layer, c throws(ModelSpecError) in
            let p = layer.float("p")
            guard p >= 0 && p < 1 else { throw c.fail("has p = \(p); a dropout probability must be in [0, 1)") }
            return Dropout(p)
        })

    /// `batchnorm1d`, over [N, C] or [N, C, L]; C is inferred.
    public static let batchNorm1d = LayerKind(
        "batchnorm1d", "BatchNorm1d", "normalizes each channel of [N, C] or [N, C, L] over the batch; C is inferred",
        make: { _, c throws(ModelSpecError) in
            guard c.input.count == 2 || c.input.count == 3 else {
                throw c.fail("gets input \(c.shownInput); it needs [N, C] or [N, C, L]; use batchnorm2d after convolutions")
            }
            try c.reserve(2 * c.input[1])
            return BatchNorm1d(c.input[1])
        })

    /// `batchnorm2d`, over [N, C, H, W]; C is inferred.
    public static let batchNorm2d = LayerKind(
        "batchnorm2d", "BatchNorm2d", "normalizes each channel of [N, C, H, W] over the batch; C is inferred",
        make: { _, c throws(ModelSpecError) in
            guard c.input.count == 4 else {
                throw c.fail("gets input \(c.shownInput); it needs [N, C, H, W]; use batchnorm1d after linear layers")
            }
            try c.reserve(2 * c.input[1])
            return BatchNorm2d(c.input[1])
        })

    /// `layernorm`, over the last dimension, whose size is inferred.
    public static let layerNorm = LayerKind(
        "layernorm", "LayerNorm", "normalizes each sample over the last dimension, whose size is inferred",
        make: { _, c throws(ModelSpecError) in
            try c.reserve(2 * c.features)
            return LayerNorm([c.features])
        })

    /// `softmax: axis`.
    public static let softmax = LayerKind(
        "softmax", "Softmax", "exponentials normalized to sum to 1 along an axis",
        parameters: [axisParameter], make: { layer, c throws(ModelSpecError) in Softmax(axis: try checkedAxis(layer, c)) })

    /// `logsoftmax: axis`.
    public static let logSoftmax = LayerKind(
        "logsoftmax", "LogSoftmax", "the logarithm of softmax along an axis",
        parameters: [axisParameter], make: { layer, c throws(ModelSpecError) in LogSoftmax(axis: try checkedAxis(layer, c)) })

    private static let axisParameter = LayerParameter.int("axis", default: -1, "the axis; negative counts from the end")

    private static func checkedAxis(_ layer: LayerSpec, _ c: LayerBuildContext) throws(ModelSpecError) -> Int {
        let axis = layer.int("axis")
        try c.check(axis, in: -c.input.count...(c.input.count - 1), "axis", note: "an axis of the input \(c.shownInput)")
        return axis
    }

    /// `residual: {layers, projection}`: `layers` plus a shortcut, the identity or `projection` when the
    /// layers change the shape. Inner layers are numbered `K.body.i` and `K.shortcut.i`.
    public static let residual = LayerKind(
        "residual", "Residual", "layers(x) + x, or layers(x) + projection(x) when the layers change the shape",
        parameters: [.layers("layers", segment: "body", required: "{layers: [{linear: 64}, relu]}", "the block's layers, numbered K.body.i"),
                     .layers("projection", segment: "shortcut", required: nil, "the shortcut's layers, numbered K.shortcut.i; the identity when left out")],
        make: { layer, c throws(ModelSpecError) in
            guard layer.layers("layers")?.isEmpty == false, layer.layers("projection").map({ !$0.isEmpty }) ?? true else {
                throw c.fail("has an empty layer list; give `layers` (and `projection`, if any) at least one layer")
            }
            let (body, bodyShape) = try c.sequential(layer, "layers")!
            let shortcut = try c.sequential(layer, "projection")
            let skipShape = shortcut?.1 ?? c.input
            guard bodyShape == skipShape else {
                throw c.fail("body gives \(SpecBuilder.show(bodyShape)) but the shortcut gives \(SpecBuilder.show(skipShape)); "
                             + "add or fix `projection`, e.g. \(projectionHint(c.input, bodyShape))")
            }
            return Residual(body, projection: shortcut?.0)
        })

    private static func projectionHint(_ input: [Int], _ output: [Int]) -> String {
        guard input.count == 4 && output.count == 4 else { return "`projection: [{linear: \(output.last ?? 1)}]`" }
        let stride = output[2] > 0 && input[2] % output[2] == 0 ? input[2] / output[2] : 1
        return "`projection: [{conv2d: {out: \(output[1]), kernel: 1, stride: \(stride)}}, batchnorm2d]`"
    }
}

extension LayerSpec {
    /// `linear: {out, in, bias}`: `Linear(in, out)`; `in` is inferred, `out` left out means the model's outputs.
    public static func linear(out: Int?, in input: Int? = nil, bias: Bool = true) -> LayerSpec {
        LayerSpec(.linear, ["out": out.map(LayerArgument.int), "in": input.map(LayerArgument.int), "bias": .bool(bias)])
    }

    /// `flatten: {start, end}`; `start` must leave the batch dimension alone.
    public static func flatten(start: Int = 1, end: Int = -1) -> LayerSpec {
        LayerSpec(.flatten, ["start": .int(start), "end": .int(end)])
    }

    /// `dropout: p`.
    public static func dropout(p: Float = 0.5) -> LayerSpec { LayerSpec(.dropout, ["p": .float(p)]) }

    /// `batchnorm1d`, over [N, C] or [N, C, L]; C is inferred.
    public static var batchNorm1d: LayerSpec { LayerSpec(.batchNorm1d) }

    /// `batchnorm2d`, over [N, C, H, W]; C is inferred.
    public static var batchNorm2d: LayerSpec { LayerSpec(.batchNorm2d) }

    /// `layernorm`, over the last dimension, whose size is inferred.
    public static var layerNorm: LayerSpec { LayerSpec(.layerNorm) }

    /// `softmax: axis`.
    public static func softmax(axis: Int = -1) -> LayerSpec { LayerSpec(.softmax, ["axis": .int(axis)]) }

    /// `logsoftmax: axis`.
    public static func logSoftmax(axis: Int = -1) -> LayerSpec { LayerSpec(.logSoftmax, ["axis": .int(axis)]) }

    /// `residual: {layers, projection}`: `layers` plus a shortcut, the identity or `projection`.
    public static func residual(layers: [LayerSpec], projection: [LayerSpec]? = nil) -> LayerSpec {
        LayerSpec(.residual, ["layers": .layers(layers), "projection": projection.map(LayerArgument.layers)])
    }
}
