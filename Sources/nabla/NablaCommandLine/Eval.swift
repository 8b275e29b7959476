import ArgumentParser
import Foundation
import Nabla

/// `nabla eval`: loss, accuracy, per-class precision and recall, and the confusion matrix.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained run folder on a data set (its test split when it has one).")

    @Option(help: "A run folder written by `nabla train`.") var checkpoint: String
    @Option(help: "The data set (default: the one the run trained on).") var data: String?
    @Option(help: "Folder with the IDX files (default: the run's, else \(DataSource.defaultFolders)).") var dataDir: String?
    @Option(help: "CSV label column, negative from the end.") var labelColumn: Int?
    @Flag(help: "Print one JSON object with loss and accuracy.") var json = false

    func run() throws {
        try reportingErrors {
            // Under mpirun, rank 0 scores the whole set and prints; the other ranks have nothing to do.
            let group = try ProcessGroup.fromLauncher()
            defer { group?.finish() }
            guard group?.isMain ?? true else { return }
            let trained = try TrainedModel.load(from: URL(fileURLWithPath: checkpoint))
            let config = trained.config
            // Without --data, a run trained with --test-data is scored on that file.
            let source = try DataSource.parse(data ?? config.testData ?? config.data)
            var options = config.dataOptions()
            (options.directory, options.labelColumn) = (dataDir ?? config.dataDirectory, labelColumn ?? config.labelColumn)
            (options.seed, options.task) = (config.seed &+ 99, trained.info.task)
            options.classNames = trained.info.classNames
            let loaded = try source.load(options: options)
            if trained.info.task == .languageModeling { return try evaluateText(trained, loaded, source) }
            let set = loaded.test ?? loaded.train
            let sample = set.batch([0]).inputs
            try trained.validate(sample, source: source.description)
            let loader = DataLoader(set, batchSize: 1000, transform: { trained.info.prepare($0) })
            let loss = try config.makeLoss(task: trained.info.task, classes: trained.info.outputs)
            let result = evaluate(trained.model, on: loader, loss: loss, task: trained.info.task, classes: trained.info.outputs)
            if json {
                struct Output: Encodable { let loss: Double; let accuracy: Double?; let mae, rmse, r2: Double?; let samples: Int }
                let r = result.regression
                print(try jsonLine(Output(loss: result.loss, accuracy: result.accuracy, mae: r?.mae, rmse: r?.rmse, r2: r?.r2,
                                          samples: result.samples)))
                return
            }
            if data == nil, config.testData == nil, loaded.test == nil {
                print("note: the run has no test split, so this scores the data it trained on (\(source)); "
                      + "pass --data with held-out data, or train with --test-data")
            }
            print("\(loaded.test == nil ? "data" : "test split") of \(source): \(result.samples) samples")
            print("loss \(String(format: "%.4f", result.loss))" + (result.accuracy.map { String(format: ", accuracy %.4f", $0) } ?? ""))
            if let r = result.regression { print(String(format: "MAE %.4g, RMSE %.4g, R² %.4f", r.mae, r.rmse, r.r2)) }
            if let confusion = result.confusion {
                let names = trained.info.classNames.count == confusion.classes ? trained.info.classNames : (0..<confusion.classes).map(String.init)
                print()
                print(TextTable.classificationReport(confusionMatrix: confusion.counts, classNames: names).render())
                print()
                print("confusion matrix (rows: true class, columns: predicted)")
                print(TextTable(confusionMatrix: confusion.counts, classNames: names).render())
            }
        }
    }
}

extension Eval {
    /// Loss in nats and bits per character on a text's held-out tail (the whole text when the run held none out).
    func evaluateText(_ trained: TrainedModel, _ loaded: LoadedData, _ source: DataSource) throws {
        if let vocabulary = trained.vocabulary, let fresh = loaded.vocabulary, fresh != vocabulary {
            throw DataError("\(source): its characters differ from the \(vocabulary.count) the run trained on; evaluate on the same text")
        }
        let set = loaded.validation ?? loaded.train
        let loss = try trained.config.makeLoss(task: .languageModeling, classes: trained.info.outputs)
        let result = evaluate(trained.model, on: DataLoader(set, batchSize: 64), loss: loss, task: .languageModeling)
        let bpc = bitsPerCharacter(result.loss)
        if json {
            struct Output: Encodable { let loss: Double; let bpc: Double; let windows: Int; let characters: Int }
            print(try jsonLine(Output(loss: result.loss, bpc: bpc, windows: result.samples, characters: result.samples * trained.info.inputShape[0])))
            return
        }
        let part = loaded.validation == nil ? "all of" : "held-out tail of"
        print("\(part) \(source): \(result.samples) windows of \(trained.info.inputShape[0]) characters")
        print("loss \(String(format: "%.4f", result.loss)) nats, \(String(format: "%.4f", bpc)) bits per character")
    }
}
