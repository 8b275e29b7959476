import NablaCore
import NablaBackend

/// A problem found while loading named tensors into a model.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(name: String, expected: [Int], got: [Int])
    case missingOrUnexpected(missing: [String], unexpected: [String])

    public var description: String {
        switch self {
        case .shapeMismatch(let name, let expected, let got):
            return "\(name): the model expects shape \(expected) but the checkpoint has \(got)"
        case .missingOrUnexpected(let missing, let unexpected):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
            return "checkpoint does not fit the model: " + parts.joined(separator: "; ")
        }
    }
}

/// What a non-strict load left out.
public struct LoadReport: Equatable, Sendable {
    public var missing: [String]
    public var unexpected: [String]
}

extension Module {
    /// Copies of the parameters then the buffers, with PyTorch's `state_dict()` names. The copies do
    /// not change when training goes on. A parameter that modules share appears under each of its names.
    public func namedState() -> [(String, Tensor)] {
        let tensors = namedParameters().map { ($0.0, $0.1.value) } + namedBuffers().map { ($0.0, $0.1.value) }
        return tensors.map { ($0.0, Tensor(shape: $0.1.shape, scalars: $0.1.scalars)) }
    }

    /// The model's tensors by state-dict name, as PyTorch's `state_dict()`.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedState(), uniquingKeysWith: { first, _ in first })
    }

    /// Replaces parameter and buffer values by name, as `load_state_dict`. A shape mismatch always
    /// throws, naming the tensor and both shapes; with `strict`, missing or unexpected names throw too.
    ///
    /// ```swift
    /// let report = try model.loadStateDict(pretrained, strict: false)
    /// print(report.missing, report.unexpected)
    /// ```
    @discardableResult
    public func loadStateDict(_ tensors: [String: Tensor], strict: Bool = true) throws -> LoadReport {
        let parameters = Dictionary(namedParameters(), uniquingKeysWith: { a, _ in a })
        let buffers = Dictionary(namedBuffers(), uniquingKeysWith: { a, _ in a })
        let known = Set(parameters.keys).union(buffers.keys)
        let report = LoadReport(missing: known.subtracting(tensors.keys).sorted(),
                                unexpected: Set(tensors.keys).subtracting(known).sorted())
        if strict && (!report.missing.isEmpty || !report.unexpected.isEmpty) {
            throw StateDictError.missingOrUnexpected(missing: report.missing, unexpected: report.unexpected)
        }
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            let expected = parameters[name]?.shape ?? buffers[name]?.value.shape
            guard let expected else { continue }
            // PyTorch stores num_batches_tracked as a 0-d tensor; accept [1] too.
            guard expected == tensor.shape || (expected.isEmpty && tensor.count == 1) else {
                throw StateDictError.shapeMismatch(name: name, expected: expected, got: tensor.shape)
            }
        }
        // In model order, as PyTorch loads: a tensor shared under two names takes the later name's values.
        for (name, p) in namedParameters() { tensors[name].map(p.assign) }
        for (name, b) in namedBuffers() { tensors[name].map { b.assign($0.reshape(b.value.shape)) } }
        return report
    }
}
