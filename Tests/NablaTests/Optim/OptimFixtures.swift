import Foundation
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A JSON value of optim.json. Decoded with `JSONDecoder`, which reads doubles exactly;
/// `JSONSerialization` on Linux can be an ulp or two off, which matters for learning rates and
/// plateau metrics that sit on a threshold.
enum FixtureValue: Decodable, Sendable {
    case number(Double), bool(Bool), string(String), list([FixtureValue]), object([String: FixtureValue]), null

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null
        } else if let value = try? container.decode(Bool.self) { self = .bool(value)
        } else if let value = try? container.decode(Double.self) { self = .number(value)
        } else if let value = try? container.decode(String.self) { self = .string(value)
        } else if let value = try? container.decode([FixtureValue].self) { self = .list(value)
        } else { self = .object(try container.decode([String: FixtureValue].self)) }
    }

    var double: Double? { if case .number(let v) = self { return v }; return nil }
    var int: Int? { double.map { Int($0) } }
    var bool: Bool? { if case .bool(let v) = self { return v }; return nil }
    var string: String? { if case .string(let v) = self { return v }; return nil }
    var list: [FixtureValue]? { if case .list(let v) = self { return v }; return nil }
    var object: [String: FixtureValue]? { if case .object(let v) = self { return v }; return nil }

    /// A `{"shape", "data"}` object as a fixture tensor.
    var tensor: FixtureTensor? {
        guard let dict = object, let shape = dict["shape"]?.list, let data = dict["data"]?.list else { return nil }
        return FixtureTensor(shape: shape.compactMap(\.int), data: data.compactMap(\.double),
                             requiresGrad: dict["requires_grad"]?.bool ?? false)
    }
}

/// One case of Tests/Fixtures/optim.json (schema in Tests/Fixtures/README.md, "optim.json").
struct OptimCase: Sendable, CustomStringConvertible {
    let name: String
    let op: String
    let args: [String: FixtureValue]
    let inputs: [FixtureTensor]
    let output: FixtureTensor
    /// clip_grad_norm: the norm PyTorch returned.
    let totalNorm: Double?
    /// Optimizers: PyTorch's final `state_dict()["state"]`, flattened to `state.<i>.<name>`.
    let state: [String: FixtureTensor]
    /// ReduceLROnPlateau: the scheduler's final counters.
    let counters: [String: Double]
    var description: String { name }

    func double(_ key: String) -> Double { args[key]!.double! }
    func int(_ key: String) -> Int { args[key]!.int! }
    func bool(_ key: String) -> Bool { args[key]!.bool! }
    func string(_ key: String) -> String { args[key]!.string! }
}

enum OptimFixtures {
    static let all: [OptimCase] = load()
    static func cases(_ ops: Set<String>) -> [OptimCase] { all.filter { ops.contains($0.op) } }

    private struct File: Decodable { let cases: [[String: FixtureValue]] }

    private static func load() -> [OptimCase] {
        let url = Fixtures.directory.appendingPathComponent("optim.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            fatalError("missing or unreadable fixture \(url.path); regenerate with Tests/Fixtures/make_fixtures.py optim")
        }
        return file.cases.map { dict in
            let rawState = dict["state"]?.object ?? [:]
            return OptimCase(name: dict["name"]!.string!, op: dict["op"]!.string!, args: dict["args"]?.object ?? [:],
                             inputs: (dict["inputs"]?.list ?? []).compactMap(\.tensor), output: dict["output"]!.tensor!,
                             totalNorm: dict["total_norm"]?.double, state: rawState.compactMapValues(\.tensor),
                             counters: rawState.compactMapValues(\.double))
        }
    }
}

/// The largest |got − want| / max(1, |want|): absolute for values up to 1, relative above.
func maxScaledError(_ got: [Float], _ want: [Double]) -> Double {
    precondition(got.count == want.count, "maxScaledError: \(got.count) values vs \(want.count)")
    return zip(got, want).map { Swift.abs(Double($0) - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
}

/// The parameter groups a case lists in `args.groups` (parameter i in group i, with its overrides),
/// or one group of every parameter.
func parameterGroups(_ c: OptimCase, _ parameters: [Parameter]) -> [ParameterGroup] {
    guard let groups = c.args["groups"]?.list else { return [ParameterGroup(parameters)] }
    return zip(groups, parameters).map { group, parameter in
        ParameterGroup([parameter], learningRate: group.object?["lr"]?.double, weightDecay: group.object?["weight_decay"]?.double)
    }
}

/// Builds the optimizer a fixture case describes.
func makeOptimizer(_ c: OptimCase, _ parameters: [Parameter]) -> Optimizer {
    let groups = parameterGroups(c, parameters)
    switch c.op {
    case "sgd":
        return SGD(groups, learningRate: c.double("lr"), momentum: c.double("momentum"), dampening: c.double("dampening"),
                   weightDecay: c.double("weight_decay"), nesterov: c.bool("nesterov"))
    case "adagrad":
        return AdaGrad(groups, learningRate: c.double("lr"), lrDecay: c.double("lr_decay"), weightDecay: c.double("weight_decay"),
                       initialAccumulatorValue: c.double("initial_accumulator_value"), eps: c.double("eps"))
    case "rmsprop":
        return RMSProp(groups, learningRate: c.double("lr"), alpha: c.double("alpha"), eps: c.double("eps"),
                       weightDecay: c.double("weight_decay"), momentum: c.double("momentum"), centered: c.bool("centered"))
    case "adam", "adamw":
        guard let b = c.args["betas"]?.list, b.count == 2 else { fatalError("\(c.name): bad betas") }
        let pair = (b[0].double!, b[1].double!)
        if c.op == "adam" {
            return Adam(groups, learningRate: c.double("lr"), betas: pair, eps: c.double("eps"),
                        weightDecay: c.double("weight_decay"), amsgrad: c.bool("amsgrad"))
        }
        return AdamW(groups, learningRate: c.double("lr"), betas: pair, eps: c.double("eps"),
                     weightDecay: c.double("weight_decay"), amsgrad: c.bool("amsgrad"))
    default:
        fatalError("\(c.name): unknown optimizer \(c.op)")
    }
}

/// Replays an optimizer case: feeds PyTorch's recorded gradients (none where the mask is 0), applies
/// the recorded learning-rate change, and returns the parameters after each step plus the optimizer.
func replay(_ c: OptimCase) -> (trajectory: [[Float]], optimizer: Optimizer) {
    let parameters = [Parameter(c.inputs[0].tensor.detached()), Parameter(c.inputs[1].tensor.detached())]
    let optimizer = makeOptimizer(c, parameters)
    let steps = c.int("steps")
    let grads = [c.inputs[2].data, c.inputs[3].data], mask = c.inputs[4].data
    var lrChange: (step: Int, lr: Double)?
    if let change = c.args["lr_change"]?.object { lrChange = (change["step"]!.int!, change["lr"]!.double!) }
    var trajectory: [[Float]] = []
    for step in 0..<steps {
        optimizer.zeroGrad()
        for (k, parameter) in parameters.enumerated() where mask[step * 2 + k] != 0 {
            let n = parameter.count
            parameter.grad = Tensor(shape: parameter.shape, scalars: grads[k][(step * n)..<((step + 1) * n)].map { Float($0) })
        }
        if let lrChange, lrChange.step == step { optimizer.learningRate = lrChange.lr }
        optimizer.step()
        trajectory.append(parameters.flatMap(\.value.scalars))
    }
    return (trajectory, optimizer)
}
