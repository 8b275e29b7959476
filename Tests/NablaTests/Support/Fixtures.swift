import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// A tensor as stored in the PyTorch golden files.
struct FixtureTensor: Sendable {
    let shape: [Int]
    let data: [Double]
    let requiresGrad: Bool

    var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }, requiresGrad: requiresGrad) }
    var ints: [Int] { data.map { Int($0) } }
}

/// One golden case written by Tests/Fixtures/make_fixtures.py.
struct FixtureCase: Sendable, CustomStringConvertible {
    let name: String
    let op: String
    let args: [String: JSONArg]
    let inputs: [FixtureTensor]
    let output: FixtureTensor
    let gradOutput: FixtureTensor?
    let grads: [FixtureTensor?]
    /// Layer cases: inputs run in train mode before the measured call.
    var warmup: [FixtureTensor] = []
    /// Layer cases: buffers after the measured call, by state-dict name.
    var buffersAfter: [String: FixtureTensor] = [:]
    /// The golden tolerance (relative) the generator chose for this case, when it set one.
    var rtol: Double? = nil
    /// Whether the case's inputs suit a finite-difference check (in the domain, away from kinks).
    var gradcheck = false
    var description: String { name }

    /// The numeric arguments, as an elementwise function's `init(arguments:)` takes them; nulls are left out.
    var floatArguments: [String: Float] { args.compactMapValues(\.float) }
}

/// A JSON argument value, kept Sendable for parameterized tests.
enum JSONArg: Sendable {
    case number(Double), bool(Bool), string(String), list([JSONArg]), object([String: JSONArg]), null

    init(_ any: Any) {
        switch any {
        case let n as NSNumber: self = .number(n.doubleValue)  // JSON booleans arrive as 0/1 numbers too
        case let s as String: self = .string(s)
        case let a as [Any]: self = .list(a.map(JSONArg.init))
        case let d as [String: Any]: self = .object(d.mapValues(JSONArg.init))
        default: self = .null
        }
    }

    var double: Double? { if case .number(let v) = self { return v }; return nil }
    var int: Int? { double.map { Int($0) } }
    var float: Float? { double.map { Float($0) } }
    var bool: Bool? {
        if case .bool(let v) = self { return v }
        if case .number(let v) = self { return v != 0 }
        return nil
    }
    var ints: [Int]? { if case .list(let l) = self { return l.compactMap(\.int) }; return nil }
    var floats: [Float]? { if case .list(let l) = self { return l.compactMap(\.float) }; return nil }
    var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    var stringList: [String]? { if case .list(let l) = self { return l.compactMap(\.stringValue) }; return nil }
    var isNull: Bool { if case .null = self { return true }; return false }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// All cases of `Tests/Fixtures/<file>.json`.
    static func load(_ file: String) -> [FixtureCase] {
        let url = directory.appendingPathComponent(file + ".json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else {
            fatalError("missing or unreadable fixture \(url.path); regenerate with Tests/Fixtures/make_fixtures.py")
        }
        return cases.map(parseCase)
    }

    private static func parseTensor(_ any: Any?) -> FixtureTensor? {
        guard let dict = any as? [String: Any] else { return nil }
        return FixtureTensor(shape: (dict["shape"] as? [Any] ?? []).map { ($0 as! NSNumber).intValue },
                             data: (dict["data"] as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue },
                             requiresGrad: dict["requires_grad"] as? Bool ?? false)
    }

    private static func parseCase(_ dict: [String: Any]) -> FixtureCase {
        FixtureCase(name: dict["name"] as! String, op: dict["op"] as! String,
                    args: (dict["args"] as? [String: Any] ?? [:]).mapValues(JSONArg.init),
                    inputs: (dict["inputs"] as? [Any] ?? []).compactMap(parseTensor),
                    output: parseTensor(dict["output"])!,
                    gradOutput: parseTensor(dict["grad_output"]),
                    grads: (dict["grads"] as? [Any] ?? []).map(parseTensor),
                    warmup: (dict["warmup"] as? [Any] ?? []).compactMap(parseTensor),
                    buffersAfter: (dict["buffers_after"] as? [String: Any] ?? [:]).compactMapValues(parseTensor),
                    rtol: (dict["rtol"] as? NSNumber)?.doubleValue,
                    gradcheck: dict["gradcheck"] as? Bool ?? false)
    }
}

/// Whether `got` matches `want` elementwise: |got − want| ≤ atol + rtol·|want|.
func allClose(_ got: [Float], _ want: [Double], rtol: Double = 1e-5, atol: Double = 1e-6) -> Bool {
    got.count == want.count && zip(got, want).allSatisfy { g, w in
        if w.isNaN { return g.isNaN }
        if w.isInfinite { return Double(g) == w }
        return Swift.abs(Double(g) - w) <= atol + rtol * Swift.abs(w)
    }
}

/// The largest relative error, for messages.
func maxError(_ got: [Float], _ want: [Double]) -> Double {
    zip(got, want).map { Swift.abs(Double($0) - $1) / Swift.max(1e-6, Swift.abs($1)) }.max() ?? 0
}

/// Checks one golden case: `out` (computed from `inputs`) against the fixture's output, and the
/// gradients of sum(out · grad_output) against the fixture's gradients for every differentiable input.
func expectMatchesGolden(_ c: FixtureCase, inputs: [Tensor], output out: Tensor, rtol: Double, atol: Double = 1e-6) {
    #expect(out.shape == c.output.shape, "\(c.name): shape \(out.shape) vs \(c.output.shape)")
    #expect(allClose(out.scalars, c.output.data, rtol: rtol, atol: atol),
            "\(c.name): forward max rel error \(maxError(out.scalars, c.output.data))")
    guard let gradOutput = c.gradOutput else { return }
    let grads = gradients(of: (out * gradOutput.tensor).sum(), withRespectTo: inputs.filter(\.requiresGrad))
    var next = 0
    for (i, want) in c.grads.enumerated() {
        guard let want else { continue }
        let got = grads[next]
        next += 1
        #expect(got.shape == want.shape, "\(c.name): grad \(i) shape \(got.shape) vs \(want.shape)")
        #expect(allClose(got.scalars, want.data, rtol: rtol, atol: atol),
                "\(c.name): grad \(i) max rel error \(maxError(got.scalars, want.data))")
    }
}
