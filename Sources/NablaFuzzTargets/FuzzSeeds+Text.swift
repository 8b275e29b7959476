import Foundation
import Nabla

extension FuzzSeeds {
    /// A spec with a layer of most kinds, as `ModelSpec.text` writes it.
    private static let manyKinds = ModelSpec(inputShape: [2, 8, 8], layers: [
        .conv2d(out: 4, kernel: 3, stride: 1, padding: .same), .batchNorm2d, .relu,
        .maxPool2d(kernel: 2, stride: 2, padding: 0), .avgPool2d(kernel: 3, stride: 1, padding: 1),
        .adaptiveAvgPool2d(height: 2, width: 2), .flatten(start: 1, end: -1),
        .residual(layers: [.linear(out: 16), .gelu], projection: [.linear(out: 16, bias: false)]),
        .layerNorm, .dropout(p: 0.25), .tanh, .linear(out: nil), .logSoftmax(axis: -1),
    ])

    /// A sequence model: an embedding, recurrent layers and the last step.
    private static let sequence = ModelSpec(inputShape: [6], layers: [
        .embedding(count: 10, dim: 4), .lstm(hidden: 5, layers: 2, bias: false), .gru(hidden: 3), .lastStep,
        .batchNorm1d, .linear(out: 3, in: 3), .softmax(axis: 1),
    ])

    static func specJSON() -> [FuzzSeed] {
        [
            FuzzSeed("many-kinds.json", text: manyKinds.text(format: .json)),
            FuzzSeed("sequence.json", text: sequence.text(format: .json)),
            FuzzSeed("by-hand.json", text: """
                {"input": [1, 28, 28], "layers": [{"conv2d": {"out": 8, "kernel": 3, "padding": 1, "dilation": 1}},
                 "relu", {"maxpool2d": {"kernel": 2}}, "flatten", {"linear": {"out": 32, "bias": true}},
                 {"dropout": 0.5e0}, "silu", {"linear": 10}]}
                """),
        ]
    }

    static func specYAML() -> [FuzzSeed] {
        [
            FuzzSeed("many-kinds.yaml", text: manyKinds.text(format: .yaml)),
            FuzzSeed("sequence.yaml", text: sequence.text(format: .yaml)),
            FuzzSeed("by-hand.yaml", text: """
                # a small CNN, in block and flow style, with an anchor
                input: [1, 28, 28]
                layers:
                  - conv2d: &conv {out: 16, kernel: 3, padding: same}
                  - relu
                  - conv2d: *conv
                  - maxpool2d: 2
                  - flatten
                  - linear:
                      out: 128
                      bias: false
                  - dropout: 0.2
                  - "leaky-relu"
                  - linear: 10

                """),
        ]
    }

    /// The default configuration and a changed one, as `TrainingRun.fit` writes them.
    static func configJSON() -> [FuzzSeed] {
        var changed = RunConfiguration()
        (changed.data, changed.model, changed.hidden, changed.batchSize) = ("csv:iris.csv", "model.yaml", [16, 8], "all")
        (changed.optimizer, changed.learningRate, changed.momentum, changed.lrSchedule) = ("sgd", 0.1, 0.9, "cosine")
        (changed.initializer, changed.loss, changed.standardize, changed.labelColumn) = ("kaiming-normal", "mse", true, -1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [("default", RunConfiguration()), ("changed", changed)].map { name, config in
            FuzzSeed("\(name).json", (try? encoder.encode(config)) ?? Data())
        }
    }

    static func modelJSON() -> [FuzzSeed] {
        [
            FuzzSeed("classifier.json", text: """
                {"classNames": ["T-shirt/top", "Trouser"], "inputShape": [1, 28, 28], "outputs": 2, "task": "classification"}
                """),
            FuzzSeed("regression.json", text: """
                {"classNames": [], "inputShape": [2], "outputs": 1,
                 "standardizer": {"mean": [1.18, 1.26], "std": [0.6675328, 0.80399007]}, "task": "regression"}
                """),
        ]
    }

    /// Trimmed from a checkpoint that `nabla train` wrote.
    static func trainerJSON() -> [FuzzSeed] {
        [
            FuzzSeed("trainer.json", text: """
                {"earlyStopping": {"badEpochs": 0, "best": 0.70302212, "bestEpoch": 2}, "epoch": 2,
                 "generator": [5748330725565225498, 10366808569926412986, 17001889749588494110, 3675647281783163140, 0, 0],
                 "globalStep": 16,
                 "history": {"epochs": [{"epoch": 1, "gradientNorms": {"1": 0.0575, "3": 0.1274}, "learningRate": 0.001,
                   "seconds": 0.0406, "trainAccuracy": 0.4233, "trainLoss": 0.7070, "validationAccuracy": 0.39,
                   "validationLoss": 0.7062, "validationTopK": {"5": 1}}],
                  "steps": 16, "stopReason": "reached 2 epochs", "warnings": ["a warning"]},
                 "learningRate": 0.001, "scheduler": {"base_lr": 0.001, "last_epoch": 2, "last_lr": 0.001},
                 "plateau": {"best": "inf", "bad_epochs": 0}}
                """),
            FuzzSeed("minimal.json", text: """
                {"earlyStopping": {"badEpochs": 1, "best": "inf", "bestEpoch": 0}, "epoch": 0, "generator": [1, 2, 3, 4, 5, 1],
                 "globalStep": 0, "history": {"epochs": [], "steps": 0, "stopReason": "", "warnings": []}, "learningRate": 0.01}
                """),
        ]
    }
}
