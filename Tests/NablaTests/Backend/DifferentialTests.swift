import Foundation
import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// The CPU backend against the plain-loop reference backend: every primitive forward and backward on
/// random shapes, every optimizer update over several steps and every image augmentation, element by
/// element. `DifferentialTable` lists the primitives.
@Suite("Backend: CPU against reference")
struct DifferentialTests {
    static let backends: (cpu: any Backend.Type, reference: any Backend.Type) = (CPUBackend.self, ReferenceBackend.self)

    @Test("forward and backward agree", arguments: DifferentialTable.rows)
    func primitiveAgrees(_ row: PrimitiveRow) { Self.compare(row) }

    /// Every variant of `row` on both backends, element by element within the row's tolerance.
    static func compare(_ row: PrimitiveRow) {
        for (number, variant) in row.variants(row.count).enumerated() {
            var g = Generator(seed: UInt64(number))
            let values = variant.inputs.map { $0.draw(&g) }
            let cpu = Outcome.run(variant, values: values, on: backends.cpu)
            let reference = Outcome.run(variant, values: values, on: backends.reference)
            let context = "\(row.name) \(variant) (\(row.tolerance))"
            #expect(cpu.shape == reference.shape, "\(context): shapes \(cpu.shape) and \(reference.shape)")
            if let problem = row.tolerance.mismatch(cpu.output, reference.output) { Issue.record("\(context): output \(problem)") }
            for (input, (a, b)) in zip(cpu.grads, reference.grads).enumerated() {
                #expect((a == nil) == (b == nil), "\(context): input \(input) has a gradient on one backend only")
                if let a, let b, let problem = row.tolerance.mismatch(a, b) { Issue.record("\(context): gradient \(input) \(problem)") }
            }
            // Every input that takes a gradient got one, so the backward kernels ran; comparisons record none.
            let wanted = zip(variant.inputs, cpu.grads).filter { $0.0.requiresGrad }
            #expect(row.kind == "compare" || wanted.allSatisfy { $0.1 != nil }, "\(context): missing gradient")
        }
    }

    /// Each row's graph records the primitive it is named after, and the rows together record every
    /// primitive.
    @Test("every primitive has a row")
    func everyPrimitiveHasARow() {
        var seen: Set<String> = []
        for row in DifferentialTable.rows {
            let variant = row.variants(1)[0]
            var g = Generator(seed: 0)
            let inputs = variant.inputs.map { Tensor(shape: $0.shape, scalars: $0.draw(&g), requiresGrad: $0.requiresGrad) }
            let kinds = PrimitiveKind.recorded(in: variant.body(inputs))
            #expect(row.kind == "compare" || kinds.contains(row.kind), "\(row.name) records \(kinds.sorted())")
            seen.formUnion(kinds)
        }
        let missing = Set(PrimitiveKind.all).subtracting(seen).subtracting(["leaf"])
        #expect(missing.isEmpty, "primitives without a differential row: \(missing.sorted())")
    }

    @Test("Backends.with is task-local and nests")
    func selectionIsTaskLocal() async {
        let outside = Backends.current.name
        await withTaskGroup(of: (String, String).self) { group in
            for backend in Backends.all {
                group.addTask { await Backends.with(backend) { await _Concurrency.Task.yield(); return (backend.name, Backends.current.name) } }
            }
            for await (wanted, seen) in group { #expect(wanted == seen) }
        }
        Backends.with(ReferenceBackend.self) {
            #expect(Backends.current.name == "reference")
            Backends.with(CPUBackend.self) { #expect(Backends.current.name == "cpu") }
            #expect(Backends.current.name == "reference")
        }
        #expect(Backends.current.name == outside)
        #expect(Backends.named("Reference")?.name == "reference" && Backends.named("gpu") == nil)
    }

    @Test("NABLA_BACKEND selects the backend")
    func environmentSelects() {
        let value = ProcessInfo.processInfo.environment["NABLA_BACKEND"] ?? ""
        #expect(Backends.selected.name == (value.isEmpty ? "cpu" : value.lowercased()))
        #expect(Backends.named(environment: nil).name == "cpu" && Backends.named(environment: "reference").name == "reference")
    }
}

/// The primitive kinds by name; the switch has no `default:`, so a new primitive does not compile
/// until it is named here, and then `everyPrimitiveHasARow` asks for its row.
enum PrimitiveKind {
    static let all = ["leaf", "unary", "binary", "select", "sum", "max", "matmul", "reshape", "permute", "expand", "slice",
                      "pad", "concat", "gather", "indexSelect", "conv2d", "maxPool2d", "avgPool2d", "batchNorm", "layerNorm", "softmax",
                      "logSoftmax", "lstm", "attention"]

    static func name(_ op: Primitive) -> String {
        switch op {
        case .leaf: "leaf"
        case .unary: "unary"
        case .binary: "binary"
        case .select: "select"
        case .sum: "sum"
        case .max: "max"
        case .matmul: "matmul"
        case .reshape: "reshape"
        case .permute: "permute"
        case .expand: "expand"
        case .slice: "slice"
        case .pad: "pad"
        case .concat: "concat"
        case .gather: "gather"
        case .indexSelect: "indexSelect"
        case .conv2d: "conv2d"
        case .maxPool2d: "maxPool2d"
        case .avgPool2d: "avgPool2d"
        case .batchNorm: "batchNorm"
        case .layerNorm: "layerNorm"
        case .softmax: "softmax"
        case .logSoftmax: "logSoftmax"
        case .lstm: "lstm"
        case .attention: "attention"
        }
    }

    /// The kinds of every node in the graph that produced `tensor`.
    static func recorded(in tensor: Tensor) -> Set<String> {
        var kinds: Set<String> = []
        var visited: Set<ObjectIdentifier> = []
        var stack = [tensor.node].compactMap { $0 }
        while let node = stack.popLast() {
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            kinds.insert(name(node.op))
            stack += node.inputs.compactMap(\.node)
        }
        return kinds
    }
}
