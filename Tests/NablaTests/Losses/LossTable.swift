@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Maps the op names and arguments of Tests/Fixtures/losses.json onto Nabla's loss functions.
enum LossTable {
    /// Ops that evaluate exp, log or sqrt in float32 and get the 1e-4 relative tolerance.
    static let transcendental: Set<String> = [
        "rmse_loss", "msle_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
        "kl_div", "exponential_loss", "entropy", "cross_entropy_between", "kl_divergence",
    ]

    static func apply(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        regression(op, a, x) ?? classification(op, a, x) ?? margin(op, a, x) ?? information(op, a, x)
    }

    /// The fixture's reduction; `"batchmean"` (KL only) is handled by the caller and reads as `.mean` here.
    static func reduction(_ a: [String: JSONArg]) -> Reduction {
        guard case .string(let name)? = a["reduction"] else { return .mean }
        return Reduction.allCases.first { $0.torchName == name } ?? .mean
    }

    /// The optional weight inputs that follow the two main inputs, in fixture order.
    private static func extras(_ a: [String: JSONArg], _ x: [Tensor], _ keys: [String]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        var next = 2
        for key in keys where a[key]?.bool == true {
            result[key] = x[next]
            next += 1
        }
        return result
    }

    private static func regression(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        let r = reduction(a)
        switch op {
        case "mse_loss": return mseLoss(x[0], x[1], reduction: r)
        case "l1_loss": return l1Loss(x[0], x[1], reduction: r)
        case "rmse_loss": return rmseLoss(x[0], x[1], reduction: r)
        case "msle_loss": return msleLoss(x[0], x[1], reduction: r)
        case "mape_loss": return mapeLoss(x[0], x[1], reduction: r)
        case "smooth_l1_loss": return smoothL1Loss(x[0], x[1], beta: a["beta"]!.float!, reduction: r)
        case "huber_loss": return huberLoss(x[0], x[1], delta: a["delta"]!.float!, reduction: r)
        default: return nil
        }
    }

    private static func classification(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        let r = reduction(a)
        let e = extras(a, x, ["weight", "pos_weight"])
        let ignore = a["ignore_index"]?.int
        switch op {
        case "binary_cross_entropy":
            return binaryCrossEntropy(x[0], x[1], weight: e["weight"], posWeight: e["pos_weight"], reduction: r)
        case "binary_cross_entropy_with_logits":
            return binaryCrossEntropyWithLogits(x[0], x[1], weight: e["weight"], posWeight: e["pos_weight"], reduction: r)
        case "cross_entropy":
            return crossEntropy(x[0], x[1], weight: e["weight"], labelSmoothing: a["label_smoothing"]?.float ?? 0,
                                ignoreIndex: ignore, reduction: r)
        case "nll_loss":
            return nllLoss(x[0], x[1], weight: e["weight"], ignoreIndex: ignore, reduction: r)
        case "kl_div":
            let kl: KLDivReduction
            if case .string("batchmean")? = a["reduction"] { kl = .batchMean } else { kl = KLDivReduction(r) }
            return klDivLoss(x[0], x[1], reduction: kl, logTarget: a["log_target"]?.bool ?? false)
        default: return nil
        }
    }

    private static func margin(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        let r = reduction(a)
        switch op {
        case "hinge_loss": return hingeLoss(x[0], x[1], reduction: r)
        case "squared_hinge_loss": return squaredHingeLoss(x[0], x[1], reduction: r)
        case "exponential_loss": return exponentialLoss(x[0], x[1], reduction: r)
        case "multi_margin_loss":
            return multiMarginLoss(x[0], x[1], p: a["p"]!.int!, margin: a["margin"]!.float!,
                                   weight: extras(a, x, ["weight"])["weight"], reduction: r)
        default: return nil
        }
    }

    private static func information(_ op: String, _ a: [String: JSONArg], _ x: [Tensor]) -> Tensor? {
        guard let axis = a["axis"]?.int, case .string(let name)? = a["base"] else { return nil }
        let base: LogBase = name == "2" ? .two : name == "10" ? .ten : .e
        switch op {
        case "entropy": return entropy(x[0], axis: axis, base: base)
        case "cross_entropy_between": return crossEntropy(between: x[0], and: x[1], axis: axis, base: base)
        case "kl_divergence": return klDivergence(x[0], x[1], axis: axis, base: base)
        default: return nil
        }
    }
}
