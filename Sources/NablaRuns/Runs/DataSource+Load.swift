import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

extension DataSource {
    /// The names of Fashion-MNIST's ten classes, in label order.
    public static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                           "Sneaker", "Bag", "Ankle boot"]

    /// Where `searchDirectories` looks without a directory, as help texts and the README say it.
    public static let defaultFolders = "/usr/share/datasets/fashion-mnist, then ~/.cache/nabla/fashion-mnist "
        + "($XDG_CACHE_HOME/nabla/fashion-mnist when XDG_CACHE_HOME is set); mnist in the same places"

    /// The folders searched for IDX files: `directory` if given, else Debian's package folder, then the user cache.
    public func searchDirectories(_ directory: String?) -> [String] {
        if let directory { return [directory] }
        let name = self == .mnist ? "mnist" : "fashion-mnist"
        let home = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return ["/usr/share/datasets/\(name)", (home as NSString).appendingPathComponent("nabla/\(name)")]
    }

    /// Reads the data set.
    public func load(options: DataOptions = DataOptions()) throws -> LoadedData {
        switch self {
        case .fashionMNIST, .mnist: return try loadIDX(options)
        case .csv(let path): return try loadCSV(path, options)
        case .npy(let x, let y): return try loadNPY(x, y, options)
        case .text(let path): return try loadText(path, options)
        case .spirals: return planar(Synthetic.twoSpirals(count: options.syntheticCount, noise: 0.05, seed: options.seed))
        case .moons: return planar(Synthetic.moons(count: options.syntheticCount, noise: 0.1, seed: options.seed))
        case .circles: return planar(Synthetic.circles(count: options.syntheticCount, noise: 0.05, factor: 0.5, seed: options.seed))
        case .xor: return planar(Synthetic.xor(count: options.syntheticCount, noise: 0.2, seed: options.seed))
        case .linear:
            let data = Synthetic.noisyLine(count: options.syntheticCount, slope: 2, intercept: -1, noise: 0.1, seed: options.seed)
            return LoadedData(train: data, test: nil, inputShape: [1], task: .regression, outputs: 1, classNames: [], standardizer: nil)
        case .sine:
            let data = Synthetic.sineWave(count: options.syntheticCount, noise: 0.05, seed: options.seed)
            return LoadedData(train: data, test: nil, inputShape: [1], task: .regression, outputs: 1, classNames: [], standardizer: nil)
        }
    }

    private func planar(_ data: TensorDataset) -> LoadedData {
        LoadedData(train: data, test: nil, inputShape: [2], task: .classification, outputs: 2, classNames: ["0", "1"], standardizer: nil)
    }

    private func loadIDX(_ options: DataOptions) throws -> LoadedData {
        let files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        let directories = searchDirectories(options.directory)
        func find(_ base: String) -> URL? {
            for directory in directories {
                for name in [base + ".gz", base] {
                    let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
                    if FileManager.default.fileExists(atPath: url.path) { return url }
                }
            }
            return nil
        }
        let urls = files.map(find)
        guard urls.allSatisfy({ $0 != nil }) else {
            let missing = zip(files, urls).filter { $0.1 == nil }.map { $0.0 }
            throw DataError("""
                \(self): cannot find \(missing.joined(separator: ", ")) (.gz or raw) in \(directories.joined(separator: " or ")).
                Get the data with `sudo apt-get install dataset-fashion-mnist` (Fashion-MNIST, Debian/Ubuntu), or download the \
                four standard files into a folder and pass it as \(setting: .dataDirectory).
                """)
        }
        let (trainX, trainY, testX, testY) = try (IDX.read(contentsOf: urls[0]!), IDX.read(contentsOf: urls[1]!),
                                                  IDX.read(contentsOf: urls[2]!), IDX.read(contentsOf: urls[3]!))
        func images(_ t: Tensor, _ url: URL) throws -> Tensor {
            guard t.rank == 3 else { throw DataError("\(url.path): expected images [N, H, W], got \(t.shape)") }
            return (t * (1 / 255)).reshape([t.shape[0], 1, t.shape[1], t.shape[2]])
        }
        for (x, y, imageURL, labelURL) in [(trainX, trainY, urls[0]!, urls[1]!), (testX, testY, urls[2]!, urls[3]!)] {
            guard y.rank == 1 else { throw DataError("\(labelURL.path): expected labels [N], got \(y.shape)") }
            guard x.rank >= 1, x.shape[0] == y.shape[0] else {
                let folder = imageURL.deletingLastPathComponent().path
                let counts = "\(x.shape.first ?? 0) images but \(y.shape[0]) labels"
                throw DataError("\(imageURL.lastPathComponent) and \(labelURL.lastPathComponent) in \(folder): \(counts); the two files must come from the same set")
            }
        }
        let train = TensorDataset(inputs: try images(trainX, urls[0]!), targets: trainY)
        let test = TensorDataset(inputs: try images(testX, urls[2]!), targets: testY)
        let names = self == .fashionMNIST ? Self.fashionClassNames : (0..<10).map(String.init)
        return LoadedData(train: train, test: test, inputShape: Array(train.inputs.shape.dropFirst()), task: .classification,
                          outputs: 10, classNames: names, standardizer: nil)
    }

    private func loadCSV(_ path: String, _ options: DataOptions) throws -> LoadedData {
        let column = options.labelColumn ?? -1
        let table = try CSV.read(contentsOf: URL(fileURLWithPath: path), textColumn: column)
        guard column < table.columns && column >= -table.columns, table.columns >= 2 else {
            throw DataError("\(path): label column \(column) does not exist; the file has \(table.columns) columns")
        }
        let (features, labels) = CSV.features(table, labelColumn: column)
        if let text = table.text { return try textClasses(features, text, name: path, options) }
        return try tabular(features, labels, name: path, options)
    }

    private func loadNPY(_ x: String, _ y: String, _ options: DataOptions) throws -> LoadedData {
        var features = try NPY.read(contentsOf: URL(fileURLWithPath: x))
        let labels = try NPY.read(contentsOf: URL(fileURLWithPath: y))
        for (tensor, path) in [(features, x), (labels, y)] where tensor.rank == 0 {
            throw DataError("\(path): a 0-d array (one number); save one row per sample, shape [N] or [N, features]")
        }
        guard features.shape[0] == labels.shape[0] else {
            throw DataError("\(x), \(y): \(features.shape[0]) samples but \(labels.shape[0]) targets")
        }
        if features.rank == 1 { features = features.reshape([features.count, 1]) }
        if let bad = features.scalars.firstIndex(where: { !$0.isFinite }) {
            let perSample = features.count / features.shape[0]
            let position = "sample \(bad / perSample), feature \(bad % perSample)"
            throw DataError("\(x): \(position) is \(features.scalars[bad]); training cannot use NaN or infinite values")
        }
        return try tabular(features, labels, name: x, options)
    }

    /// Features and labels from a file, as classification or regression (see `inferTask`).
    private func tabular(_ features: Tensor, _ labels: Tensor, name: String, _ options: DataOptions) throws -> LoadedData {
        let standardizer = options.standardize ? Standardizer.fit(features) : nil
        let inputs = standardizer?.transform(features) ?? features
        let task = options.task ?? Self.inferTask(labels)
        guard task == .classification else {
            let targets = labels.reshape([labels.shape[0], labels.count / Swift.max(labels.shape[0], 1)])
            return LoadedData(train: TensorDataset(inputs: inputs, targets: targets), test: nil, inputShape: Array(inputs.shape.dropFirst()),
                              task: .regression, outputs: targets.shape[1], classNames: [], standardizer: standardizer)
        }
        let (targets, names) = try Self.classIndices(labels, name: name)
        return LoadedData(train: TensorDataset(inputs: inputs, targets: targets), test: nil, inputShape: Array(inputs.shape.dropFirst()),
                          task: .classification, outputs: names.count, classNames: names, standardizer: standardizer)
    }

    /// Classification when the labels are 0…K−1 with every class present and K ≤ min(256, rows/10),
    /// or exactly {−1, +1}; regression otherwise, so that whole-number measurements (ages, prices)
    /// are never taken for hundreds of classes.
    ///
    /// ```swift
    /// DataSource.inferTask(Tensor([0, 1, 2, 1]))   // .regression: 3 classes need 30 rows
    /// ```
    public static func inferTask(_ labels: Tensor) -> Task {
        let values = labels.scalars
        guard labels.rank == 1, !values.isEmpty else { return .regression }
        if Set(values) == [-1, 1] { return .classification }
        guard values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 256 }) else { return .regression }
        let classes = Int(values.max()!) + 1
        guard classes >= 2, classes <= Swift.min(256, values.count / 10), Set(values).count == classes else { return .regression }
        return .classification
    }

    /// Class indices 0…K−1 and the classes' names: −1/+1 labels become classes 0 and 1.
    private static func classIndices(_ labels: Tensor, name: String) throws -> (Tensor, [String]) {
        let values = labels.scalars
        guard labels.rank == 1 else { throw DataError("\(name): classification needs one label per sample, got labels \(labels.shape)") }
        if Set(values) == [-1, 1] { return (Tensor(values.map { $0 > 0 ? 1 : 0 }), ["-1", "+1"]) }
        guard let bad = values.first(where: { !($0 >= 0 && $0 == $0.rounded() && $0 < 65_536) }) else {
            let classes = Int(values.max() ?? 0) + 1
            return (labels, (0..<classes).map(String.init))
        }
        throw DataError("\(name): label \(bad) is not a class index 0, 1, 2, …; train for regression instead")
    }
}
