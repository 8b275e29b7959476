@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Maps the op names and arguments of the golden fixtures onto Nabla's API.
enum OpTable {
    static let known: Set<String> = Set(UnaryFunctions.all.map { $0.name }).union([
        "softmax", "log_softmax", "add", "sub", "mul", "div", "pow",
        "maximum", "minimum", "where", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
        "sum", "mean", "max", "min", "var", "logsumexp", "argmax", "matmul", "reshape", "transpose", "permute",
        "expand", "squeeze", "unsqueeze", "flatten", "cat", "stack", "narrow", "index_select", "gather", "pad",
        "conv2d", "max_pool2d", "avg_pool2d",
    ])

    static let binaryOps: [String: @Sendable (Tensor, Tensor) -> Tensor] = [
        "add": (+), "sub": (-), "mul": (*), "div": (/), "pow": { $0.pow($1) },
        "maximum": { $0.maximum($1) }, "minimum": { $0.minimum($1) },
        "less": (.<), "less_equal": (.<=), "greater": (.>), "greater_equal": (.>=), "equal": (.==), "not_equal": (.!=),
    ]

    static func apply(_ op: String, _ args: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        if x.isEmpty { return known.contains(op) ? Tensor(0) : nil }
        if let f = UnaryFunctions.make(op, arguments: args.compactMapValues(\.float)) { return x[0].unary(f) }
        if let f = binaryOps[op] { return f(x[0], x[1]) }
        return parametric(op, args, x) ?? reduction(op, args, x[0]) ?? movement(op, args, x) ?? spatial(op, args, x)
    }

    private static func pair(_ arg: JSONArg?) -> (Int, Int) {
        let v = arg?.ints ?? [1, 1]
        return (v[0], v[1])
    }

    private static func parametric(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        switch op {
        case "softmax": return x[0].softmax(axis: a["axis"]!.int!, temperature: a["temperature"]?.float ?? 1)
        case "log_softmax": return x[0].logSoftmax(axis: a["axis"]!.int!)
        case "where": return Tensor.where(x[0], x[1], x[2])
        case "matmul": return x[0].matmul(x[1])
        default: return nil
        }
    }

    private static func reduction(_ op: String, _ a: [String: JSONArg], _ x: Tensor) -> Tensor? {
        let axes = a["axes"]?.ints
        let keep = a["keepdim"]?.bool ?? false
        switch op {
        case "sum": return x.sum(axes: axes, keepDims: keep)
        case "mean": return x.mean(axes: axes, keepDims: keep)
        case "max": return x.max(axes: axes, keepDims: keep)
        case "min": return x.min(axes: axes, keepDims: keep)
        case "var": return x.variance(axes: axes, unbiased: a["unbiased"]?.bool ?? true, keepDims: keep)
        case "logsumexp": return x.logsumexp(axes: axes, keepDims: keep)
        case "argmax":
            guard let axis = a["axis"]?.int else { return x.flatten().argmax(axis: 0) }
            return x.argmax(axis: axis, keepDims: keep)
        default: return nil
        }
    }

    private static func movement(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        switch op {
        case "reshape": return x[0].reshape(a["shape"]!.ints!)
        case "transpose": return x[0].transpose(a["dim0"]!.int!, a["dim1"]!.int!)
        case "permute": return x[0].permute(a["dims"]!.ints!)
        case "expand":
            let target = a["shape"]!.ints!
            let offset = target.count - x[0].rank
            return x[0].expand(to: target.enumerated().map { $0.element == -1 ? x[0].shape[$0.offset - offset] : $0.element })
        case "squeeze": return x[0].squeeze(axis: a["axis"]?.int)
        case "unsqueeze": return x[0].unsqueeze(axis: a["axis"]!.int!)
        case "flatten": return x[0].flatten(startDim: a["start_dim"]!.int!, endDim: a["end_dim"]!.int!)
        case "cat": return Tensor.cat(x, axis: a["axis"]!.int!)
        case "stack": return Tensor.stack(x, axis: a["axis"]!.int!)
        case "narrow": return x[0].narrow(axis: a["axis"]!.int!, start: a["start"]!.int!, length: a["length"]!.int!)
        case "index_select": return x[0].indexSelect(axis: a["axis"]!.int!, index: x[1])
        case "gather": return x[0].gather(axis: a["axis"]!.int!, index: x[1])
        case "pad": return x[0].pad(torchOrder: a["pad"]!.ints!, value: a["value"]?.float ?? 0)
        default: return nil
        }
    }

    private static func spatial(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        switch op {
        case "conv2d":
            return Functional.conv2d(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil, stride: pair(a["stride"]),
                                     padding: pair(a["padding"]), dilation: pair(a["dilation"]))
        case "max_pool2d":
            return Functional.maxPool2d(x[0], kernelSize: pair(a["kernel"]), stride: pair(a["stride"]), padding: pair(a["padding"]))
        case "avg_pool2d":
            return Functional.avgPool2d(x[0], kernelSize: pair(a["kernel"]), stride: pair(a["stride"]), padding: pair(a["padding"]),
                                        countIncludePad: a["count_include_pad"]?.bool ?? true)
        default: return nil
        }
    }
}
