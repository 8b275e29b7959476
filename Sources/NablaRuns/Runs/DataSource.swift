import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// Where a run's data comes from: `fashion-mnist`, `mnist`, `csv:PATH`, `npy:X_PATH,Y_PATH`, a UTF-8
/// text file `text:PATH` (for a character-level language model), or a built-in synthetic set
/// (`spirals`, `moons`, `circles`, `xor`, `linear`, `sine`).
///
/// ```swift
/// let source = try DataSource.parse("csv:data/iris.csv")
/// let data = try source.load(options: .init(labelColumn: -1, standardize: true))
/// ```
public enum DataSource: Equatable, Sendable, CustomStringConvertible {
    case fashionMNIST, mnist
    case csv(path: String)
    case npy(inputs: String, targets: String)
    /// A UTF-8 text read as Unicode scalars: random windows of the first part for training, the
    /// held-out tail in non-overlapping windows for validation.
    case text(path: String)
    case spirals, moons, circles, xor, linear, sine

    /// The accepted spellings, for help texts and error messages.
    public static let names = ["fashion-mnist", "mnist", "csv:PATH", "npy:X_PATH,Y_PATH", "text:PATH", "spirals", "moons", "circles", "xor",
                               "linear", "sine"]

    /// Parses a `RunConfiguration.data` value, or explains which values are accepted.
    public static func parse(_ text: String) throws -> DataSource {
        switch text.lowercased() {
        case "fashion-mnist", "fashion_mnist", "fashionmnist": return .fashionMNIST
        case "mnist": return .mnist
        case "spirals", "two-spirals": return .spirals
        case "moons": return .moons
        case "circles": return .circles
        case "xor": return .xor
        case "linear", "line": return .linear
        case "sine", "sin": return .sine
        default: break
        }
        if text.hasPrefix("csv:"), text.count > 4 { return .csv(path: String(text.dropFirst(4))) }
        if text.hasPrefix("text:"), text.count > 5 { return .text(path: String(text.dropFirst(5))) }
        if text.hasPrefix("npy:") {
            let parts = text.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { return .npy(inputs: parts[0], targets: parts[1]) }
            throw DataError("\(setting: .data) \(text): npy needs two files, as npy:X_PATH,Y_PATH")
        }
        throw DataError("\(setting: .data) \(text): unknown data set; use one of \(names.joined(separator: ", "))")
    }

    public var description: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .mnist: return "mnist"
        case .csv(let path): return "csv:\(path)"
        case .npy(let x, let y): return "npy:\(x),\(y)"
        case .text(let path): return "text:\(path)"
        case .spirals: return "spirals"
        case .moons: return "moons"
        case .circles: return "circles"
        case .xor: return "xor"
        case .linear: return "linear"
        case .sine: return "sine"
        }
    }

    /// Whether the set is 2-D points with classes, so a decision boundary can be drawn.
    public var isPlanarClassification: Bool { [.spirals, .moons, .circles, .xor].contains(self) }
}

/// A data problem the user can fix: a missing folder, a bad setting, an unusable file.
public struct DataError: SettingNaming, Equatable {
    public var message: SettingText
    public init(_ message: SettingText) { self.message = message }
}

/// Options that shape how a source is loaded.
public struct DataOptions: Sendable, Equatable {
    /// Where the IDX files live; `nil` searches the standard places.
    public var directory: String?
    /// The CSV label column (negative counts from the end), or `nil` for the last.
    public var labelColumn: Int?
    /// Standardize CSV/NPY features per column with the training set's mean and deviation.
    public var standardize: Bool
    /// Samples in a synthetic set.
    public var syntheticCount: Int
    public var seed: UInt64

    /// Classification or regression for CSV and NPY labels; `nil` infers it (see `DataSource.inferTask`).
    public var task: Task?
    /// The classes, in index order, that text labels in a CSV file (`setosa`, …) map onto: a trained
    /// model's. `nil` takes the file's distinct labels in sorted order.
    public var classNames: [String]?
    /// Characters per window of text data.
    public var blockSize: Int
    /// The fraction of a text held out at its end for validation.
    public var validationFraction: Double

    public init(directory: String? = nil, labelColumn: Int? = nil, standardize: Bool = false, syntheticCount: Int = 1000,
                seed: UInt64 = 0, task: Task? = nil, blockSize: Int = Hyperparameters.blockSize.defaultValue,
                validationFraction: Double = Hyperparameters.validationSplit.defaultValue) {
        self.task = task
        self.blockSize = blockSize
        self.validationFraction = validationFraction
        self.directory = directory
        self.labelColumn = labelColumn
        self.standardize = standardize
        self.syntheticCount = syntheticCount
        self.seed = seed
    }
}

/// A loaded data set, ready for training.
public struct LoadedData {
    public var train: any Dataset
    public var test: (any Dataset)?
    /// One sample's shape, e.g. [1, 28, 28] or [2].
    public var inputShape: [Int]
    public var task: Task
    /// The number of classes (classification), or of regression outputs.
    public var outputs: Int
    public var classNames: [String]
    /// The feature standardization fitted on the training set, when asked for.
    public var standardizer: Standardizer?
    /// The polynomial expansion of the features, applied before `standardizer`, when asked for.
    public var polynomial: PolynomialFeatures?
    /// A validation set the source fixes itself (a text's held-out tail), instead of a random split.
    public var validation: (any Dataset)? = nil
    /// The characters of text data, token by token.
    public var vocabulary: Vocabulary? = nil
}

extension DataSource {
    /// The random augmentation that suits this data set's images of `size`×`size`, or nil when
    /// none does. Crops (padding 2) everywhere; left–right flips only for clothing, where a
    /// mirrored shirt is still a shirt; small rotations for digits, which a flip would corrupt
    /// (a mirrored 2 or 7 is no digit). Images of unknown content get crops alone.
    public func augmentation(imageSize size: Int) -> (any Augmentation)? {
        switch self {
        case .fashionMNIST: return Compose(RandomCrop(size: size, padding: 2), RandomHorizontalFlip(p: 0.5))
        case .mnist: return Compose(RandomCrop(size: size, padding: 2), RandomRotation(degrees: 10))
        case .csv, .npy: return RandomCrop(size: size, padding: 2)
        case .text, .spirals, .moons, .circles, .xor, .linear, .sine: return nil
        }
    }
}
