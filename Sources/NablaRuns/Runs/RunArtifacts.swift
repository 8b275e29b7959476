import Foundation
import NablaLibrary
import NablaCore
import NablaBackend

/// The files a finished run leaves in its folder besides the checkpoint: `metrics.csv`,
/// `result.json`, the SVG plots and `report.html`.
struct RunArtifacts {
    let run: TrainingRun
    let history: TrainingHistory
    let result: RunResult
    let test: Evaluation?

    func write(to directory: URL) throws {
        try AtomicFile.write(Data(MetricsCSV.string(from: metricsTable()).utf8), to: directory.appendingPathComponent("metrics.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(result), to: directory.appendingPathComponent("result.json"))
        var report = HTMLReport(title: "Nabla run: \(run.config.model) on \(run.config.data)",
                                subtitle: "\(history.epochs.count) epochs, \(history.stopReason)")
        report.summary = summary()
        report.metrics = metricsTable()
        report.modelSummary = run.model.summary(inputShape: run.sampleShape).description
        for (file, figure) in figures() {
            try AtomicFile.write(Data(figure.svg.utf8), to: directory.appendingPathComponent(file))
            report.figures.append(figure)
        }
        try AtomicFile.write(Data(report.html().utf8), to: directory.appendingPathComponent("report.html"))
    }

    func metricsTable() -> MetricsTable {
        var table = MetricsTable(columns: ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds", "step"])
        for r in history.epochs {
            table.append([Double(r.epoch), r.trainLoss, r.trainAccuracy ?? .nan, r.validationLoss ?? .nan,
                          r.validationAccuracy ?? .nan, r.learningRate, r.seconds, r.step.map(Double.init) ?? .nan])
        }
        return run.data.task == .languageModeling ? Self.withBitsPerCharacter(table) : table
    }

    /// A language model's table with the losses in bits per character as well: `train_bpc`, `val_bpc`.
    static func withBitsPerCharacter(_ table: MetricsTable) -> MetricsTable {
        let (train, validation) = (table.column("train_loss") ?? [], table.column("val_loss") ?? [])
        var result = MetricsTable(columns: table.columns + ["train_bpc", "val_bpc"])
        for (i, row) in table.rows.enumerated() { result.append(row + [bitsPerCharacter(train[i]), bitsPerCharacter(validation[i])]) }
        return result
    }

    private func summary() -> [(key: String, value: String)] {
        var rows: [(key: String, value: String)] = [("data", run.config.data), ("model", run.config.model),
                                                   ("parameters", "\(run.model.parameterCount)"),
                                                   ("optimizer", "\(run.optimizerSettings.kind.rawValue), lr \(run.optimizerSettings.resolvedLearningRate)"),
                                                   ("batch size", run.config.batchSize), ("seed", "\(run.config.seed)"),
                                                   ("training time", ReportFormat.duration(result.seconds)),
                                                   ("samples/s", ReportFormat.rate(result.samplesPerSecond))]
        if let a = result.validationAccuracy { rows.append(("validation accuracy", String(format: "%.4f", a))) }
        if let a = result.testAccuracy { rows.append(("test accuracy", String(format: "%.4f", a))) }
        if let l = result.testLoss { rows.append(("test loss", String(format: "%.4f", l))) }
        for w in history.warnings.prefix(5) { rows.append(("warning", w)) }
        return rows
    }

    private func figures() -> [(String, HTMLReport.Figure)] {
        let epochs = history.epochs
        var result: [(String, HTMLReport.Figure)] = []
        var lossSeries = [LineSeries(name: "train", values: epochs.map(\.trainLoss))]
        if epochs.contains(where: { $0.validationLoss != nil }) {
            lossSeries.append(LineSeries(name: "validation", values: epochs.map { $0.validationLoss ?? .nan }))
        }
        result.append(("loss.svg", .init(title: "Loss", svg: LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss", series: lossSeries).svg(),
                                         caption: HTMLReport.Caption.loss)))
        if run.data.task == .classification {
            var series = [LineSeries(name: "train", values: epochs.map { $0.trainAccuracy ?? .nan })]
            if epochs.contains(where: { $0.validationAccuracy != nil }) {
                series.append(LineSeries(name: "validation", values: epochs.map { $0.validationAccuracy ?? .nan }))
            }
            result.append(("accuracy.svg", .init(title: "Accuracy", svg: LinePlot(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy",
                                                                                   series: series).svg(), caption: HTMLReport.Caption.accuracy)))
            if let confusion = confusionMatrix() {
                result.append(("confusion_matrix.svg", .init(title: "Confusion matrix",
                    svg: ConfusionMatrixPlot(counts: confusion.counts, classNames: run.data.classNames,
                                             title: test == nil ? "Confusion matrix (validation)" : "Confusion matrix (test)").svg(),
                    caption: HTMLReport.Caption.confusionMatrix)))
            }
        }
        let layers = history.layerNames
        if !layers.isEmpty {
            let norms = epochs.map { r in layers.map { r.gradientNorms[$0] ?? .nan } }
            let plot = GradientFlowPlot(layerNames: layers, normsPerEpoch: norms, explodingThreshold: run.config.explodingThreshold)
            result.append(("gradient_flow.svg", .init(title: "Gradient flow", svg: plot.svg(), caption: HTMLReport.Caption.gradientFlow)))
        }
        if run.source.isPlanarClassification {
            result.append(("decision_boundary.svg", .init(title: "Decision boundary", svg: decisionBoundary(),
                                                          caption: HTMLReport.Caption.decisionBoundary)))
        }
        return result
    }

    private func confusionMatrix() -> ConfusionMatrix? {
        if let confusion = test?.confusion { return confusion }
        guard let validation = run.validationSet else { return nil }
        return evaluate(run.model, on: DataLoader(validation, batchSize: 1000), loss: run.trainer.loss, task: .classification,
                        classes: run.data.outputs).confusion
    }

    private func decisionBoundary() -> String {
        let (inputs, targets) = run.data.train.batch(Array(0..<run.data.train.count))
        // The points as the data set gives them: unstandardized, and x, y lead an expansion's columns.
        let x = (run.data.standardizer?.inverseTransform(inputs) ?? inputs).scalars
        let width = inputs.count / Swift.max(inputs.shape[0], 1)
        let xs = stride(from: 0, to: x.count, by: width).map { Double(x[$0]) }
        let ys = stride(from: 1, to: x.count, by: width).map { Double(x[$0]) }
        let pad = 0.2
        let xRange = (xs.min()! - pad)...(xs.max()! + pad), yRange = (ys.min()! - pad)...(ys.max()! + pad)
        let (columns, rows) = (120, 100)
        let centers = DecisionBoundaryPlot.cellCenters(xRange: xRange, yRange: yRange, columns: columns, rows: rows)
        let grid = Tensor(shape: [centers.count, 2], scalars: centers.flatMap { [Float($0.x), Float($0.y)] })
        run.model.eval()
        let probabilities = withNoGrad { run.model(run.data.prepare(grid)).softmax(axis: -1) }
        let k = run.data.outputs
        let p = probabilities.scalars
        let cells = (0..<rows).map { r in (0..<columns).map { c in (0..<k).map { Double(p[(r * columns + c) * k + $0]) } } }
        let points = zip(zip(xs, ys), targets.scalars).map { LabeledPoint(x: $0.0, y: $0.1, label: Int($1)) }
        return DecisionBoundaryPlot(xRange: xRange, yRange: yRange, probabilities: cells, points: points,
                                    classNames: run.data.classNames).svg()
    }
}
