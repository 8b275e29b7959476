import Foundation
import Testing
@testable import NablaCommandLine
import Nabla

/// Every option `nabla train --help` lists is given, parsed and run end to end at least once, on
/// small data; a new option fails `everyOptionIsRun` until a run here uses it.
@Suite(.serialized) struct EveryTrainOptionTests {
    /// The options of `nabla train --help` (lines indented by two spaces that start with `--`).
    static var helpOptions: Set<String> {
        let lines = Train.helpMessage(columns: 1000).split(separator: "\n").map(String.init)
        return Set(lines.compactMap { line -> String? in
            guard line.hasPrefix("  --") else { return nil }
            return String(line.dropFirst(2).prefix { !$0.isWhitespace })
        })
    }

    /// The runs, by name, in order; each is `nabla train` with these arguments (paths under `root`).
    static func runs(_ root: URL) -> [(name: String, arguments: [String])] {
        let path = { (name: String) in root.appendingPathComponent(name).path }
        return [
            ("tabular", ["--data", "csv:" + path("train.csv"), "--test-data", "csv:" + path("test.csv"), "--label-column", "0",
                         "--standardize", "--task", "classification", "--val-split", "0.2", "--poly-features", "2", "--model", "mlp",
                         "--hidden", "8,4", "--activation", "tanh", "--dropout", "0.1", "--batch-norm", "--sync-batch-norm", "--init", "xavier-uniform",
                         "--loss", "cross-entropy", "--label-smoothing", "0.1", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9",
                         "--dampening", "0.1", "--weight-decay", "0.0001", "--lr-schedule", "step", "--lr-step", "1", "--lr-gamma", "0.5", "--batch-size", "16",
                         "--epochs", "2", "--seed", "3", "--early-stop", "5", "--min-delta", "0.001", "--top-k", "1",
                         "--checkpoint-every", "1", "--out", path("tabular"), "--json"]),
            ("exploding", ["--data", "circles", "--samples", "200", "--model", "linear", "--optimizer", "adam", "--beta1", "0.8",
                           "--beta2", "0.99", "--eps", "1e-7", "--lr-schedule", "warmup", "--warmup-epochs", "2", "--l1", "0.0001",
                           "--l2", "0.0001", "--clip-norm", "1", "--clip-value", "0.5", "--max-steps", "5", "--grad-tol", "1e-12",
                           "--loss-tol", "1e-12", "--divergence-factor", "10000", "--divergence-steps", "20",
                           "--exploding-threshold", "1e-6", "--epochs", "3", "--out", path("exploding")]),
            ("images", ["--data", "mnist", "--data-dir", path("mnist"), "--model", "linear", "--augment", "--rotate", "10",
                        "--optimizer", "rmsprop", "--rmsprop-alpha", "0.9", "--lr-schedule", "plateau",
                        "--plateau-patience", "1", "--epochs", "2", "--out", path("images"), "--json"]),
            ("regression", ["--data", "npy:\(path("x.npy")),\(path("y.npy"))", "--task", "regression", "--loss", "huber",
                            "--huber-delta", "0.5", "--model", "linear", "--epochs", "2", "--out", path("regression"), "--json"]),
            ("groups", ["--data", "xor", "--model", "mlp", "--hidden", "4", "--optimizer", "adamw", "--amsgrad", "--weight-decay", "0.1",
                         "--weight-decay-params", "matrices", "--lr-schedule", "cosine", "--warmup-steps", "2", "--min-lr", "1e-4",
                         "--accumulate", "2", "--eval-every", "3", "--class-weights", "1,2", "--batch-size", "16", "--epochs", "2",
                         "--out", path("groups"), "--json"]),
            ("gpt", ["--data", "text:" + path("verse.txt"), "--model", "gpt", "--layers", "1", "--heads", "2", "--embed", "8",
                     "--block-size", "6", "--batch-size", "4", "--max-steps", "4", "--out", path("gpt"), "--json"]),
            ("first", ["--data", "xor", "--model", "mlp", "--hidden", "4", "--epochs", "1", "--out", path("first"), "--json"]),
            ("resumed", ["--out", path("first"), "--resume", "--epochs", "2", "--json"]),
            ("from-config", ["--config", path("first/checkpoint/config.json"), "--epochs", "1", "--out", path("from-config"), "--json"]),
            ("pretrained", ["--data", "xor", "--model", "mlp", "--hidden", "4", "--pretrained", path("first/model.safetensors"),
                            "--epochs", "1", "--out", path("pretrained"), "--json"]),
        ]
    }

    static func prepare(_ root: URL) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        try SmallData.writeMNIST(to: root.appendingPathComponent("mnist"))
        try SmallData.rings(rows: 200, phase: 0).write(to: root.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try SmallData.rings(rows: 40, phase: 0.5).write(to: root.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        try NPY.write(Tensor(shape: [40, 2], scalars: (0..<80).map { Float($0 % 9) / 9 }), to: root.appendingPathComponent("x.npy"))
        try NPY.write(Tensor(shape: [40], scalars: (0..<40).map { Float($0) / 40 }), to: root.appendingPathComponent("y.npy"))
        try String(repeating: "the cat sat on the mat.\n", count: 20).write(to: root.appendingPathComponent("verse.txt"), atomically: true, encoding: .utf8)
    }

    @Test func everyOptionIsRun() {
        let used = Set(Self.runs(URL(fileURLWithPath: "/")).flatMap(\.arguments).filter { $0.hasPrefix("--") })
        #expect(Self.helpOptions.subtracting(["--help"]) == used, "not run: \(Self.helpOptions.subtracting(used).sorted())")
        #expect(Self.helpOptions.count >= 50)
    }

    @Test func everyRunSucceedsAndKeepsItsOptions() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-options-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.prepare(root)
        var outputs: [String: String] = [:]
        for (name, arguments) in Self.runs(root) {
            _ = try Train.parse(arguments)   // parses in-process as well
            let child = try ChildProcess.run(["train"] + arguments)
            #expect(child.exitStatus == 0, "\(name): \(child.standardError)")
            outputs[name] = child.standardOutput + child.standardError
        }
        let config = { (run: String) in
            try RunConfiguration.load(contentsOf: root.appendingPathComponent("\(run)/checkpoint/config.json"))
        }
        let tabular = try config("tabular")
        #expect(tabular.polyFeatures == 2 && tabular.labelColumn == 0 && tabular.standardize && tabular.batchNorm && tabular.hidden == [8, 4])
        #expect(tabular.syncBatchNorm == true)   // kept for a distributed resume; one process trains as without it
        #expect(tabular.optimizer == "sgd" && tabular.momentum == 0.9 && tabular.lrSchedule == "step" && tabular.earlyStopPatience == 5)
        #expect(outputs["tabular"]?.contains("\"test_accuracy\"") == true)
        #expect(outputs["exploding"]?.contains("has an exploding gradient (mean norm") == true, "\(outputs["exploding"] ?? "")")
        #expect(try config("exploding").clipValue == 0.5 && config("exploding").divergenceSteps == 20)
        #expect(try config("images").augment && config("images").lrSchedule == "plateau" && config("images").rotation == 10)
        #expect(try config("images").rmspropAlpha == 0.9 && tabular.dampening == 0.1)
        let groups = try config("groups")
        #expect(groups.amsgrad == true && groups.weightDecayParameters == "matrices" && groups.warmupSteps == 2 && groups.minLearningRate == 1e-4)
        #expect(groups.accumulationSteps == 2 && groups.evalEvery == 3 && groups.classWeights == [1, 2])
        let gpt = try config("gpt")
        #expect(gpt.layers == 1 && gpt.heads == 2 && gpt.embed == 8 && gpt.blockSize == 6)
        #expect(try config("regression").loss == "huber" && config("regression").huberDelta == 0.5)
        #expect(outputs["resumed"]?.contains("\"epochs\":2") == true, "\(outputs["resumed"] ?? "")")
        #expect(try config("from-config").hidden == [4] && config("pretrained").pretrained?.hasSuffix("first/model.safetensors") == true)
        try checkTemperature(root.appendingPathComponent("first"), root)
    }

    /// Below the vanishing threshold every layer would be both; the gradient-flow plot trapped on it
    /// after training (found by the exploding run above with 1e-9).
    @Test func anExplodingThresholdBelowTheVanishingOneIsRefused() throws {
        let config = try TrainOptions.parse(["--exploding-threshold", "1e-9"]).configuration()
        #expect { try config.validate() } throws: { commandLineMessage(for: $0) == "--exploding-threshold 1e-09: must be above 1e-07" }
    }

    /// `predict --temperature T` gives softmax(logits / T): from the probabilities at T = 1, those at
    /// T = 4 are p^(1/4), normalized.
    func checkTemperature(_ run: URL, _ root: URL) throws {
        let input = root.appendingPathComponent("point.csv")
        try "0.9,-0.8\n".write(to: input, atomically: true, encoding: .utf8)
        let probabilities = { (temperature: String) throws -> [Double] in
            let child = try ChildProcess.run(["predict", "--checkpoint", run.path, "--input", input.path, "--json", "--temperature", temperature])
            let object = try JSONSerialization.jsonObject(with: Data(child.standardOutput.utf8)) as? [String: Any]
            return (object?["outputs"] as? [[Double]])?.first ?? []
        }
        let (one, four) = (try probabilities("1"), try probabilities("4"))
        let roots = one.map { Foundation.pow($0, 0.25) }, total = roots.reduce(0, +)
        #expect(one.count == 2 && four.count == 2 && one != four)
        for (got, want) in zip(four, roots.map { $0 / total }) { #expect(abs(got - want) < 1e-5, "\(four) vs \(roots)") }
    }
}
