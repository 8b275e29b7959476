import NablaLibrary
import NablaCore
import NablaBackend

extension DataSource {
    /// The most classes a text label column may name.
    static let maxTextClasses = 65_536

    /// Classification data whose labels are text (`setosa`, `versicolor`, …): each label becomes the
    /// index of its name in `options.classNames` (a trained model's classes), or else in the sorted
    /// list of the distinct labels, as scikit-learn's `LabelEncoder` numbers them.
    func textClasses(_ features: Tensor, _ labels: [String], name: String, _ options: DataOptions) throws -> LoadedData {
        guard options.task != .regression else {
            let example = labels.first { Float($0) == nil } ?? ""
            throw DataError("\(name): the label column holds text such as \"\(example)\"; regression needs numbers")
        }
        let names = options.classNames ?? Array(Set(labels)).sorted()
        guard names.count <= Self.maxTextClasses else {
            throw DataError("""
                \(name): the label column holds \(names.count) different texts, more than \(Self.maxTextClasses) classes; \
                is \(setting: .labelColumn) the column of class names?
                """)
        }
        let index = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var targets = [Float]()
        targets.reserveCapacity(labels.count)
        for (row, label) in labels.enumerated() {
            guard let k = index[label] else {
                let known = names.prefix(10).joined(separator: ", ")
                throw DataError("\(name): row \(row + 1) has the label \"\(label)\", which is not one of the model's classes (\(known))")
            }
            targets.append(Float(k))
        }
        return LoadedData(train: TensorDataset(inputs: features, targets: Tensor(shape: [labels.count], scalars: targets)), test: nil,
                          inputShape: Array(features.shape.dropFirst()), task: .classification, outputs: names.count,
                          classNames: names, standardizer: nil)
    }
}
