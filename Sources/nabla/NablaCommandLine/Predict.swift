import ArgumentParser
import Foundation
import Nabla

/// `nabla predict`: top-k classes, or predicted values, for new inputs.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict with a trained run folder: a CSV of feature rows or a PGM image.")

    @Option(help: "A run folder written by `nabla train`.") var checkpoint: String
    @Option(help: "A .csv file of feature rows or a .pgm image.") var input: String
    @Option(help: "How many classes to list per input.") var topK = 3
    @Option(help: "Softmax temperature: above 1 flattens, below 1 sharpens the probabilities.") var temperature: Float = 1
    @Flag(help: "Print one JSON object with every output row (probabilities or values).") var json = false

    func run() throws {
        try reportingErrors {
            guard temperature > 0 else { throw ValidationError("--temperature \(temperature): must be positive") }
            guard topK > 0 else { throw ValidationError("--top-k \(topK): must be at least 1") }
            let trained = try TrainedModel.load(from: URL(fileURLWithPath: checkpoint))
            guard trained.info.task != .languageModeling else {
                throw ValidationError("\(checkpoint) is a language model; continue text with `nabla generate --checkpoint \(checkpoint) --prompt …`")
            }
            let inputs = try readInputs(trained)
            try trained.validate(inputs, source: input)
            let output = trained.predict(inputs, temperature: temperature)
            let n = inputs.shape[0], k = output.shape[1]
            let values = output.scalars
            if json {
                struct Output: Encodable { let outputs: [[Float]] }
                print(try jsonLine(Output(outputs: (0..<n).map { Array(values[($0 * k)..<(($0 + 1) * k)]) })))
                return
            }
            for row in 0..<n {
                let scores = Array(values[(row * k)..<((row + 1) * k)])
                if trained.info.task == .regression {
                    print("\(row + 1): " + scores.map { String(format: "%.6g", $0) }.joined(separator: ", "))
                    continue
                }
                let ranked = scores.enumerated().sorted { $0.element > $1.element }.prefix(topK)
                let names = trained.info.classNames
                let text = ranked.map { i, p in "\(i < names.count ? names[i] : String(i)) \(String(format: "%.4f", p))" }
                print("\(row + 1): " + text.joined(separator: ", "))
            }
        }
    }

    private func readInputs(_ trained: TrainedModel) throws -> Tensor {
        let url = URL(fileURLWithPath: input)
        switch url.pathExtension.lowercased() {
        case "pgm":
            let image = try lightOnDarkIfTrainedSo(PGM.read(contentsOf: url), trained)
            return image.reshape([1] + image.shape)
        case "csv":
            let table = try CSV.read(contentsOf: url)
            let features = trained.info.sampleShape.reduce(1, *)
            guard table.columns == features else {
                throw DataError("\(input): rows have \(table.columns) values but the model takes \(features) features")
            }
            return Tensor(shape: [table.rows, features], scalars: table.values).reshape([table.rows] + trained.info.sampleShape)
        default:
            throw DataError("\(input): unsupported input; give a .csv of feature rows or a .pgm image")
        }
    }

    /// A model trained on Fashion-MNIST or MNIST knows light objects on a dark ground: a dark-on-light
    /// image (a light border) is inverted for it, with a note on standard error.
    private func lightOnDarkIfTrainedSo(_ image: Tensor, _ trained: TrainedModel) -> Tensor {
        guard let source = try? DataSource.parse(trained.config.data), source == .fashionMNIST || source == .mnist,
              image.rank == 3 else { return image }
        let (result, inverted) = ImagePolarity.lightOnDark(image)
        if inverted {
            let border = String(format: "%.2f", ImagePolarity.borderMean(image))
            FileHandle.standardError.write(Data("""
                note: \(input) is dark on a light background (border mean \(border)); inverted it to light on dark, \
                as the \(source) images the model learned from are

                """.utf8))
        }
        return result
    }
}
