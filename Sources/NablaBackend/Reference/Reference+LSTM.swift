import Foundation

/// The LSTM one sequence and one step at a time, with PyTorch's gates
/// i = σ(·), f = σ(·), g = tanh(·), o = σ(·) over W_ih·x_t + W_hh·h_{t−1} + b, c_t = f·c_{t−1} + i·g,
/// h_t = o·tanh(c_t); the backward pass is plain back-propagation through time.
extension ReferenceBackend {
    package static func lstmForward(_ x: UnsafePointer<Float>, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                             weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                             out: UnsafeMutablePointer<Float>, saved: LSTMBuffers, _ s: LSTMShape) {
        let (inputs, hidden, width) = (s.inputSize, s.hiddenSize, s.operandWidth)
        for n in 0..<s.batch {
            var h = (0..<hidden).map { h0?[n * hidden + $0] ?? 0 }
            var c = (0..<hidden).map { c0?[n * hidden + $0] ?? 0 }
            for t in 0..<s.steps {
                let r = s.row(t, n)
                let operands = saved.operands + r * width
                for i in 0..<inputs { operands[i] = x[r * inputs + i] }
                operands[inputs] = 1
                for j in 0..<hidden { operands[inputs + 1 + j] = h[j] }
                for j in 0..<hidden { saved.cPrev[r * hidden + j] = c[j] }
                let gates = saved.gates + r * s.gateWidth
                for q in 0..<s.gateWidth {
                    var total = Double(bias?[q] ?? 0)
                    for i in 0..<inputs { total += Double(weightIH[q * inputs + i]) * Double(x[r * inputs + i]) }
                    for j in 0..<hidden { total += Double(weightHH[q * hidden + j]) * Double(h[j]) }
                    // Gate block 2 (g) is a tanh, the others sigmoids.
                    gates[q] = Float(q / hidden == 2 ? Foundation.tanh(total) : 1 / (1 + Foundation.exp(-total)))
                }
                for j in 0..<hidden {
                    let (i, f, g, o) = (gates[j], gates[hidden + j], gates[2 * hidden + j], gates[3 * hidden + j])
                    c[j] = f * c[j] + i * g
                    let tanhC = Foundation.tanh(c[j])
                    saved.tanhC[r * hidden + j] = tanhC
                    h[j] = o * tanhC
                    out[s.outRow(t, n) * hidden + j] = h[j]
                }
            }
            for j in 0..<hidden { out[s.outRow(s.steps, n) * hidden + j] = c[j] }
        }
    }

    package static func lstmBackward(_ gradOut: UnsafePointer<Float>, weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>,
                              saved: LSTMBuffers, grads: LSTMGradients, _ s: LSTMShape) {
        let (inputs, hidden, gateWidth, width) = (s.inputSize, s.hiddenSize, s.gateWidth, s.operandWidth)
        var dWeightIH = [Double](repeating: 0, count: gateWidth * inputs)
        var dWeightHH = [Double](repeating: 0, count: gateWidth * hidden)
        var dBias = [Double](repeating: 0, count: gateWidth)
        for n in 0..<s.batch {
            var dhLater = [Double](repeating: 0, count: hidden)
            var dc = (0..<hidden).map { Double(gradOut[s.outRow(s.steps, n) * hidden + $0]) }
            for t in (0..<s.steps).reversed() {
                let r = s.row(t, n)
                let gates = saved.gates + r * gateWidth, operands = saved.operands + r * width
                var dGates = [Double](repeating: 0, count: gateWidth)
                for j in 0..<hidden {
                    let (i, f) = (Double(gates[j]), Double(gates[hidden + j]))
                    let (g, o) = (Double(gates[2 * hidden + j]), Double(gates[3 * hidden + j]))
                    let tanhC = Double(saved.tanhC[r * hidden + j])
                    let dh = Double(gradOut[s.outRow(t, n) * hidden + j]) + dhLater[j]
                    // c_t reaches the loss directly and through h_t = o·tanh(c_t).
                    let dcT = dc[j] + dh * o * (1 - tanhC * tanhC)
                    dGates[j] = dcT * g * i * (1 - i)
                    dGates[hidden + j] = dcT * Double(saved.cPrev[r * hidden + j]) * f * (1 - f)
                    dGates[2 * hidden + j] = dcT * i * (1 - g * g)
                    dGates[3 * hidden + j] = dh * tanhC * o * (1 - o)
                    dc[j] = dcT * f
                }
                for j in 0..<hidden {
                    dhLater[j] = (0..<gateWidth).reduce(0.0) { $0 + dGates[$1] * Double(weightHH[$1 * hidden + j]) }
                }
                if let dx = grads.dx {
                    for i in 0..<inputs {
                        dx[r * inputs + i] = Float((0..<gateWidth).reduce(0.0) { $0 + dGates[$1] * Double(weightIH[$1 * inputs + i]) })
                    }
                }
                for q in 0..<gateWidth {
                    dBias[q] += dGates[q]
                    for i in 0..<inputs { dWeightIH[q * inputs + i] += dGates[q] * Double(operands[i]) }
                    for j in 0..<hidden { dWeightHH[q * hidden + j] += dGates[q] * Double(operands[inputs + 1 + j]) }
                }
            }
            for j in 0..<hidden {
                grads.dh0?[n * hidden + j] = Float(dhLater[j])
                grads.dc0?[n * hidden + j] = Float(dc[j])
            }
        }
        Self.store(dWeightIH, grads.dWeightIH)
        Self.store(dWeightHH, grads.dWeightHH)
        Self.store(dBias, grads.dBias)
    }

    /// Rounds `values` into `target` when it is given.
    static func store(_ values: [Double], _ target: UnsafeMutablePointer<Float>?) {
        guard let target else { return }
        for (i, v) in values.enumerated() { target[i] = Float(v) }
    }
}
