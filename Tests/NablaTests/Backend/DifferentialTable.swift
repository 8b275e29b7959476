@testable import NablaBackend
@testable import NablaCore
import Nabla

/// The primitives the differential test runs on both backends, one row each (a primitive with options
/// that take other kernel paths gets a row per path). Adding a primitive is adding a row here.
enum DifferentialTable {
    static let rows: [PrimitiveRow] = unary + elementwise + reductions + movement + spatial + recurrent + attention + large

    /// Every elementwise function, with the arguments of its golden cases in ops.json and inputs in its
    /// domain (positive where its gradcheck inputs are): a new function needs no edit here.
    static let unary: [PrimitiveRow] = OpGoldenTests.cases.filter { $0.gradcheck && $0.name.hasSuffix("_2x3x2") }.map { c in
        let f = UnaryFunctions.make(c.op, arguments: c.floatArguments)!
        let positive = c.inputs[0].data.allSatisfy { $0 > 0 }
        return PrimitiveRow("unary.\(c.name.dropLast("_gradcheck_2x3x2".count))", .summed) { g in
            let shape = g.shape(rank: 0...4, sizes: 1...9)
            return Variant([positive ? .positive(shape) : .normal(shape)]) { $0[0].unary(f) }
        }
    } + [
        // Large enough to split across cores, through the SIMD paths of exp, tanh, sigmoid and relu.
        PrimitiveRow("unary.exp.large", .summed, count: 2) { g in Variant([.normal(g.shape(rank: 2...2, sizes: 200...300))]) { $0[0].exp() } },
        PrimitiveRow("unary.tanh.large", .summed, count: 2) { g in Variant([.normal(g.shape(rank: 2...2, sizes: 200...300))]) { $0[0].tanh() } },
        PrimitiveRow("unary.sigmoid.large", .summed, count: 2) { g in
            Variant([.normal(g.shape(rank: 2...2, sizes: 200...300))]) { $0[0].sigmoid() }
        },
        PrimitiveRow("unary.relu.large", .exact, count: 2) { g in Variant([.normal(g.shape(rank: 2...2, sizes: 200...300))]) { $0[0].relu() } },
    ]

    static let elementwise: [PrimitiveRow] = [
        binary("add", +), binary("sub", -), binary("mul", *),
        binary("div", b: InputSpec.positive, /),
        binary("pow", a: InputSpec.positive) { $0.pow($1) },
        binary("maximum") { $0.maximum($1) }, binary("minimum") { $0.minimum($1) },
        compare("less", .<), compare("lessEqual", .<=), compare("greater", .>),
        compare("greaterEqual", .>=), compare("equal", .==), compare("notEqual", .!=),
        PrimitiveRow("select.where", .summed) { g in
            let out = g.shape(rank: 1...4)
            let shapes = [g.broadcastPartner(of: out), g.broadcastPartner(of: out), g.broadcastPartner(of: out)]
            return Variant([.mask(shapes[0]), .normal(shapes[1]), .normal(shapes[2])]) { Tensor.where($0[0], $0[1], $0[2]) }
        },
    ]

    static let reductions: [PrimitiveRow] = [
        PrimitiveRow("sum.axis", .summed) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...9)
            let (axis, keep) = (g.nextInt(below: shape.count), g.bool())
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].sum(axis: axis, keepDims: keep) }
        },
        PrimitiveRow("sum.all", .summed) { g in Variant([.normal(g.shape(rank: 0...4, sizes: 1...9))]) { $0[0].sum() } },
        PrimitiveRow("max.axis", .exact) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...9)
            let axis = g.nextInt(below: shape.count)
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].max(axis: axis) }
        },
        PrimitiveRow("softmax.axis", .summed) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...7)
            let axis = g.nextInt(below: shape.count)
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].softmax(axis: axis) }
        },
        PrimitiveRow("logSoftmax.axis", .summed) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...7)
            let axis = g.nextInt(below: shape.count)
            return Variant([.normal(shape)], "axis \(axis)") { $0[0].logSoftmax(axis: axis) }
        },
        PrimitiveRow("matmul.batched", .summed) { g in
            let (m, n, k) = (g.int(1...7), g.int(1...7), g.int(1...9))
            let (transA, transB) = (g.bool(), g.bool())
            let (batchA, batchB) = g.broadcastPair(rank: 0...2)
            let a = batchA + (transA ? [k, m] : [m, k]), b = batchB + (transB ? [n, k] : [k, n])
            return Variant([.normal(a), .normal(b)], "transA \(transA) transB \(transB)") {
                $0[0].matmul($0[1], transA: transA, transB: transB)
            }
        },
    ]

    static let movement: [PrimitiveRow] = [
        PrimitiveRow("reshape.reversed", .exact) { g in
            let shape = g.shape(rank: 1...4)
            return Variant([.normal(shape)]) { $0[0].reshape(shape.reversed()) }
        },
        PrimitiveRow("permute.random", .exact) { g in
            let shape = g.shape(rank: 1...4)
            let order = g.permutation(shape.count)
            return Variant([.normal(shape)], "order \(order)") { $0[0].permute(order) }
        },
        PrimitiveRow("expand.broadcast", .summed) { g in
            let target = g.shape(rank: 0...4)
            return Variant([.normal(g.broadcastPartner(of: target))], "to \(target)") { $0[0].expand(to: target) }
        },
        PrimitiveRow("slice.narrow", .exact) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...6)
            let axis = g.nextInt(below: shape.count)
            let start = g.nextInt(below: shape[axis])
            let length = g.int(1...(shape[axis] - start))
            return Variant([.normal(shape)], "axis \(axis) \(start)..<\(start + length)") {
                $0[0].narrow(axis: axis, start: start, length: length)
            }
        },
        PrimitiveRow("pad.widths", .exact) { g in
            let shape = g.shape(rank: 1...4)
            let widths = shape.map { _ in (before: g.int(0...2), after: g.int(0...2)) }
            let value = Float(g.int(-1...1))
            return Variant([.normal(shape)], "widths \(widths.map { [$0.before, $0.after] })") { $0[0].pad(widths, value: value) }
        },
        PrimitiveRow("concat.axis", .exact) { g in
            let shape = g.shape(rank: 1...4)
            let axis = g.nextInt(below: shape.count)
            let parts = (0..<g.int(1...3)).map { _ in InputSpec.normal(shape.enumerated().map { $0.offset == axis ? g.int(1...4) : $0.element }) }
            return Variant(parts, "axis \(axis)") { Tensor.cat($0, axis: axis) }
        },
        PrimitiveRow("gather.axis", .exact) { g in
            let shape = g.shape(rank: 1...3, sizes: 1...5)
            let axis = g.nextInt(below: shape.count)
            let indexShape = shape.enumerated().map { $0.offset == axis ? g.int(1...6) : g.int(1...$0.element) }
            return Variant([.normal(shape), .index(indexShape, below: shape[axis])], "axis \(axis)") {
                $0[0].gather(axis: axis, index: $0[1])
            }
        },
        PrimitiveRow("indexSelect.axis", .exact) { g in
            let shape = g.shape(rank: 1...4, sizes: 1...5)
            let axis = g.nextInt(below: shape.count)
            return Variant([.normal(shape), .index([g.int(1...6)], below: shape[axis])], "axis \(axis)") {
                $0[0].indexSelect(axis: axis, index: $0[1])
            }
        },
    ]

    static func binary(_ name: String, a: @escaping @Sendable ([Int]) -> InputSpec = InputSpec.normal,
                       b: @escaping @Sendable ([Int]) -> InputSpec = InputSpec.normal,
                       _ op: @escaping @Sendable (Tensor, Tensor) -> Tensor) -> PrimitiveRow {
        PrimitiveRow("binary.\(name)", .summed) { g in
            let (left, right) = g.broadcastPair()
            return Variant([a(left), b(right)]) { op($0[0], $0[1]) }
        }
    }

    static func compare(_ name: String, _ op: @escaping @Sendable (Tensor, Tensor) -> Tensor) -> PrimitiveRow {
        PrimitiveRow("compare.\(name)", .exact) { g in
            let (left, right) = g.broadcastPair()
            return Variant([.ties(left), .ties(right)]) { op($0[0], $0[1]) }
        }
    }
}
