import NablaBackend

/// The one place where every primitive's gradient is defined. The switch has no `default:`,
/// so a primitive without a gradient does not compile. Runs under no-grad.
package enum Gradients {
    /// Vector–Jacobian products: the gradient for each of `node.inputs`, given the output's gradient `g`.
    /// `g` is handed over: where nothing else holds its buffer, an elementwise op's gradient is written into it.
    static func vjp(_ node: Node, _ g: consuming Tensor) -> InputGradients {
        switch node.op {
        case .leaf:
            return InputGradients()
        case .unary(let op):
            return InputGradients(unary(op, node.inputStorage(0), node.savedOutput, consume g))
        case .binary(let op):
            return binary(op, node.input(0), node.input(1), g)
        case .select(let mask):
            let zero = Tensor.zeros([])
            return InputGradients(Tensor.where(mask, g, zero).sumTo(node.input(0).shape),
                                  Tensor.where(mask, zero, g).sumTo(node.input(1).shape))
        case .sum:
            return InputGradients(g.expand(to: node.input(0).shape))
        case .max(let axis, let indices):
            let x = node.input(0)
            let (outer, n, inner) = x.split(at: axis)
            let dx = TensorStorage.uninitialized(count: x.count)
            indices.values.withUnsafeBufferPointer {
                Backends.current.maxBackward(g.storage.pointer, index: $0.baseAddress!, dx.pointer, outer: outer, n: n, inner: inner)
            }
            return InputGradients(Tensor(shape: x.shape, storage: dx))
        case .matmul(let transA, let transB):
            return matmul(node.input(0), node.input(1), g, transA: transA, transB: transB)
        case .reshape:
            return InputGradients(g.reshape(node.input(0).shape))
        case .permute(let order):
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, d) in order.enumerated() { inverse[d] = i }
            return InputGradients(g.permute(inverse))
        case .expand:
            return InputGradients(g.sumTo(node.input(0).shape))
        case .slice(let axis, let start, let length):
            var widths = [(before: Int, after: Int)](repeating: (0, 0), count: g.rank)
            widths[axis] = (start, node.input(0).shape[axis] - start - length)
            return InputGradients(g.pad(widths))
        case .pad(let before, _, _):
            let strides = Shape.strides(g.shape)
            let dx = TensorStorage.uninitialized(count: node.input(0).count)
            let offset = zip(before, strides).map { $0 * $1 }.reduce(0, +)
            Backends.current.stridedRead(g.storage.pointer, offset: offset, strides: strides, dx.pointer, shape: node.input(0).shape)
            return InputGradients(Tensor(shape: node.input(0).shape, storage: dx))
        case .concat(let axis):
            var start = 0
            return InputGradients(node.inputs.map { input in
                defer { start += input.shape[axis] }
                return g.narrow(axis: axis, start: start, length: input.shape[axis])
            })
        case .gather(let axis, let index):
            let x = node.input(0)
            let dx = TensorStorage.uninitialized(count: x.count)
            Backends.current.scatterAdd(g.storage.pointer, xShape: x.shape, index: index.values, indexShape: g.shape, axis: axis,
                                        dx.pointer)
            return InputGradients(Tensor(shape: x.shape, storage: dx))
        case .indexSelect(let axis, let index):
            let x = node.input(0)
            let (outer, n, inner) = x.split(at: axis)
            let dx = TensorStorage.uninitialized(count: x.count)
            Backends.current.indexAdd(g.storage.pointer, index: index.values, dx.pointer, outer: outer, n: n, inner: inner)
            return InputGradients(Tensor(shape: x.shape, storage: dx))
        case .conv2d(let window, let hasBias):
            return conv2d(node.inputs, g, window, hasBias: hasBias)
        case .maxPool2d(let window, let winners):
            let x = node.input(0)
            let dx = TensorStorage.uninitialized(count: x.count)
            winners.values.withUnsafeBufferPointer {
                Backends.current.maxPool2dBackward(g.storage.pointer, winners: $0.baseAddress!, dx.pointer, Functional.poolShape(x, window))
            }
            return InputGradients(Tensor(shape: x.shape, storage: dx))
        case .avgPool2d(let window, let countIncludePad):
            let x = node.input(0)
            let dx = TensorStorage.uninitialized(count: x.count)
            Backends.current.avgPool2dBackward(g.storage.pointer, dx.pointer, Functional.poolShape(x, window),
                                               countIncludePad: countIncludePad)
            return InputGradients(Tensor(shape: x.shape, storage: dx))
        case .batchNorm(let statistics):
            return batchNorm(node.inputs, g, statistics)
        case .layerNorm(let statistics):
            return layerNorm(node.inputs, g, statistics)
        case .softmax(let axis), .logSoftmax(let axis):
            // dx = y ⊙ (g − Σ g⊙y) for softmax, dx = g − e^y · Σ g for log-softmax, in one kernel.
            let (outer, n, inner) = g.split(at: axis)
            let dx = TensorStorage.uninitialized(count: g.count)
            let log = if case .logSoftmax = node.op { true } else { false }
            Backends.current.softmaxBackward(node.savedOutput!.pointer, g.storage.pointer, dx.pointer, outer: outer, n: n, inner: inner,
                                             log: log)
            return InputGradients(Tensor(shape: g.shape, storage: dx))
        case .lstm(let saved):
            return lstm(node.inputs, g, saved)
        case .attention(let saved):
            return attention(node.inputs, g, saved)
        }
    }

    /// An elementwise op's gradient; `x` is the input's storage, of the shape of `g`. dx[i] depends on g[i]
    /// alone, so when `g`'s buffer is held by nothing else, dx overwrites it: a backward step through a chain
    /// of elementwise ops then allocates nothing.
    private static func unary<F: UnaryFunction>(_ f: F, _ x: TensorStorage, _ saved: TensorStorage?,
                                                _ g: consuming Tensor) -> Tensor {
        let shape = g.shape
        var gradient = g.storage
        _ = consume g
        let dx = isKnownUniquelyReferenced(&gradient) ? gradient : TensorStorage.uninitialized(count: gradient.count)
        Backends.current.unaryBackward(f, x: x.pointer, y: saved.map { UnsafePointer($0.pointer) },
                                       g: gradient.pointer, dx: dx.pointer, count: gradient.count)
        return Tensor(shape: shape, storage: dx, node: nil)
    }

    private static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, _ g: Tensor) -> InputGradients {
        let (da, db): (Tensor, Tensor)
        switch op {
        case .add: (da, db) = (g, g)
        case .sub: (da, db) = (g, -g)
        case .mul: (da, db) = (g * b, g * a)
        case .div: (da, db) = (g / b, -g * a / (b * b))
        case .pow:
            // d/da a^b = b·a^(b−1); d/db a^b = a^b·ln a (taken as 0 where a = 0, as PyTorch does)
            let y = a.pow(b)
            let logA = Tensor.where(a .== 0, Tensor.zeros([]), a.log())
            (da, db) = (g * b * a.pow(b - 1), g * y * logA)
        case .maximum, .minimum:
            // Ties share the gradient equally, as in PyTorch.
            let wins = op == .maximum ? (a .> b) : (a .< b)
            let tie = (a .== b) * 0.5
            (da, db) = (g * (wins + tie), g * (1 - wins - tie))
        }
        return InputGradients(a.node == nil ? nil : da.sumTo(a.shape), b.node == nil ? nil : db.sumTo(b.shape))
    }

    private static func matmul(_ a: Tensor, _ b: Tensor, _ g: Tensor, transA: Bool, transB: Bool) -> InputGradients {
        var da: Tensor? = nil, db: Tensor? = nil
        if a.node != nil {
            switch (transA, transB) {
            case (false, false): da = g.matmul(b, transB: true)
            case (false, true): da = g.matmul(b)
            case (true, false): da = b.matmul(g, transB: true)
            case (true, true): da = b.matmul(g, transA: true, transB: true)
            }
        }
        if b.node != nil {
            switch (transA, transB) {
            case (false, false): db = a.matmul(g, transA: true)
            case (false, true): db = g.matmul(a, transA: true)
            case (true, false): db = a.matmul(g)
            case (true, true): db = g.matmul(a, transA: true, transB: true)
            }
        }
        return InputGradients(da?.sumTo(a.shape), db?.sumTo(b.shape))
    }

    private static func batchNorm(_ inputs: [Tensor], _ g: Tensor, _ statistics: ChannelStatistics) -> InputGradients {
        if let synchronization = statistics.synchronization { return synchronizedBatchNorm(inputs, g, statistics, synchronization) }
        let (x, weight) = (inputs[0], inputs[1])
        let layout = Functional.channelLayout(x)
        let dx = x.node == nil ? nil : TensorStorage.uninitialized(count: x.count)
        let dWeight = TensorStorage.uninitialized(count: layout.channels), dBias = TensorStorage.uninitialized(count: layout.channels)
        Backends.current.batchNormBackward(x.storage.pointer, g.storage.pointer, layout, mean: statistics.mean.pointer,
                                           invStd: statistics.invStd.pointer, weight: weight.storage.pointer,
                                           dx: dx?.pointer, dWeight: dWeight.pointer, dBias: dBias.pointer)
        return InputGradients([dx.map { Tensor(shape: x.shape, storage: $0) }, Tensor(shape: [layout.channels], storage: dWeight),
                               Tensor(shape: [layout.channels], storage: dBias)])
    }

    private static func layerNorm(_ inputs: [Tensor], _ g: Tensor, _ statistics: RowStatistics) -> InputGradients {
        let x = inputs[0], width = statistics.width
        let weight = statistics.hasWeight ? inputs[1] : nil, bias = statistics.hasBias ? inputs.last : nil
        let dx = x.node == nil ? nil : TensorStorage.uninitialized(count: x.count)
        let dWeight = weight?.node == nil ? nil : TensorStorage.uninitialized(count: width)
        let dBias = bias?.node == nil ? nil : TensorStorage.uninitialized(count: width)
        Backends.current.layerNormBackward(x.storage.pointer, g.storage.pointer, weight: weight.map { UnsafePointer($0.storage.pointer) },
                                           mean: statistics.mean.pointer, invStd: statistics.invStd.pointer, dx: dx?.pointer,
                                           dWeight: dWeight?.pointer, dBias: dBias?.pointer, rows: x.count / width, width: width)
        var gradients: [Tensor?] = [dx.map { Tensor(shape: x.shape, storage: $0) }]
        if let weight { gradients.append(dWeight.map { Tensor(shape: weight.shape, storage: $0) }) }
        if let bias { gradients.append(dBias.map { Tensor(shape: bias.shape, storage: $0) }) }
        return InputGradients(gradients)
    }

    /// Batch norm over a group's joint batch: dweight and dbias from this process's rows (the
    /// gradient average across processes adds them up), dx from Σg and Σg·(x − mean) over all rows.
    /// Each process's sums are scaled by its gradient weight w before they are added, and the total
    /// divided by this process's w, so that the w-weighted average of the processes' dx is the whole batch's.
    private static func synchronizedBatchNorm(_ inputs: [Tensor], _ g: Tensor, _ statistics: ChannelStatistics,
                                              _ synchronization: ChannelSynchronization) -> InputGradients {
        let (x, weight) = (inputs[0], inputs[1])
        let layout = Functional.channelLayout(x), c = layout.channels
        var sums = [Double](repeating: 0, count: 2 * c)
        sums.withUnsafeMutableBufferPointer { s in
            Backends.current.batchNormGradientSums(x.storage.pointer, g.storage.pointer, layout, mean: statistics.mean.pointer,
                                                   sumG: s.baseAddress!, sumGX: s.baseAddress! + c)
        }
        let dWeight = TensorStorage.uninitialized(count: c), dBias = TensorStorage.uninitialized(count: c)
        for i in 0..<c {
            dBias.pointer[i] = Float(sums[i])
            dWeight.pointer[i] = Float(sums[c + i] * Double(statistics.invStd.pointer[i]))
        }
        var dx: TensorStorage?
        if x.node != nil {   // the same on every process: the graphs are alike
            let w = synchronization.weight
            let weighted = sums.map { $0 * w }
            var totals = [Double](repeating: 0, count: 2 * c)
            for part in synchronization.group.exchange(weighted) ?? [weighted] {
                for i in totals.indices { totals[i] += part[i] }
            }
            if w != 0 { totals = totals.map { $0 / w } }
            let storage = TensorStorage.uninitialized(count: x.count)
            totals.withUnsafeBufferPointer { t in
                Backends.current.batchNormInputGradient(x.storage.pointer, g.storage.pointer, layout, mean: statistics.mean.pointer,
                                                        invStd: statistics.invStd.pointer, weight: weight.storage.pointer,
                                                        sumG: t.baseAddress!, sumGX: t.baseAddress! + c, count: synchronization.count,
                                                        dx: storage.pointer)
            }
            dx = storage
        }
        return InputGradients([dx.map { Tensor(shape: x.shape, storage: $0) }, Tensor(shape: [c], storage: dWeight),
                               Tensor(shape: [c], storage: dBias)])
    }

    private static func conv2d(_ inputs: [Tensor], _ g: Tensor, _ window: Window2d, hasBias: Bool) -> InputGradients {
        let (x, w) = (inputs[0], inputs[1])
        let s = Functional.convShape(x, w, window)
        let dx = x.node == nil ? nil : TensorStorage.uninitialized(count: x.count)
        let dw = w.node == nil ? nil : TensorStorage.uninitialized(count: w.count)
        let db = hasBias && inputs[2].node != nil ? TensorStorage.uninitialized(count: s.outChannels) : nil
        Backends.current.conv2dBackward(x.storage.pointer, weight: w.storage.pointer, g.storage.pointer,
                                        dx: dx?.pointer, dWeight: dw?.pointer, dBias: db?.pointer, s)
        var result: [Tensor?] = [dx.map { Tensor(shape: x.shape, storage: $0) }, dw.map { Tensor(shape: w.shape, storage: $0) }]
        if hasBias { result.append(db.map { Tensor(shape: [s.outChannels], storage: $0) }) }
        return InputGradients(result)
    }

    private static func lstm(_ inputs: [Tensor], _ g: Tensor, _ saved: LSTMSaved) -> InputGradients {
        let (x, weightIH, weightHH, bias, h0, c0) = saved.split(inputs)
        let roles: [Tensor?] = [x, weightIH, weightHH, bias, h0, c0]   // the recorded order; absent ones nil
        // Only the inputs that take part in the graph get a buffer, and so a computed gradient.
        let d = roles.map { t in t.flatMap { $0.node == nil ? nil : TensorStorage.uninitialized(count: $0.count) } }
        let grads = LSTMGradients(dx: d[0]?.pointer, dh0: d[4]?.pointer, dc0: d[5]?.pointer,
                                  dWeightIH: d[1]?.pointer, dWeightHH: d[2]?.pointer, dBias: d[3]?.pointer)
        Backends.current.lstmBackward(g.storage.pointer, weightIH: weightIH.storage.pointer,
                                      weightHH: weightHH.storage.pointer, saved: saved.buffers, grads: grads, saved.shape)
        // One entry per recorded input: absent roles are dropped, inputs that need no gradient get nil.
        return InputGradients(zip(roles, d).compactMap { role, storage in
            role.map { input in storage.map { Tensor(shape: input.shape, storage: $0) } }
        })
    }

    private static func attention(_ inputs: [Tensor], _ g: Tensor, _ saved: AttentionSaved) -> InputGradients {
        let s = saved.shape
        // Packed: one operand holds q, k and v (their layouts say where), and its gradient holds dq, dk and dv.
        let operands = saved.packed ? [inputs[0], inputs[0], inputs[0]] : Array(inputs.prefix(3))
        let mask = inputs.count > (saved.packed ? 1 : 3) ? inputs.last : nil
        // Only the inputs that take part in the graph get a buffer; the mask's is the full score gradient.
        let d = inputs.prefix(saved.packed ? 1 : 3).map { $0.node == nil ? nil : TensorStorage.uninitialized(count: $0.count) }
        let targets = saved.packed ? [d[0], d[0], d[0]] : d
        let dScores = mask?.node == nil ? nil : TensorStorage.uninitialized(count: s.pairs * s.scoreCount)
        let buffers = AttentionBuffers(mask: mask.map { UnsafePointer($0.storage.pointer) },
                                       dropout: saved.dropout.map { UnsafePointer($0.pointer) }, weights: saved.weights.pointer)
        Backends.current.attentionBackward(g.storage.pointer, operands[0].storage.pointer, operands[1].storage.pointer,
                                           operands[2].storage.pointer, buffers: buffers,
                                           grads: AttentionGradients(dq: targets[0]?.pointer, dk: targets[1]?.pointer,
                                                                     dv: targets[2]?.pointer, dMask: dScores?.pointer), s)
        var result: [Tensor?] = zip(inputs, d).map { input, storage in storage.map { Tensor(shape: input.shape, storage: $0) } }
        if let mask {
            result.append(dScores.map { Tensor(shape: [s.batch, s.heads, s.queries, s.keys], storage: $0).sumTo(mask.shape) })
        }
        return InputGradients(result)
    }
}
