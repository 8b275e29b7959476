import Foundation
import Testing
import Nabla

/// `--sync-batch-norm` under `mpirun`: BatchNorm over the whole global batch makes N ranks take one
/// process's steps, where each rank's own statistics do not; a rank with nothing of a batch still
/// takes part. In `MPIProcessTests`, whose jobs run one at a time.
extension MPIProcessTests {
    /// The MLP of `train` with BatchNorm after each hidden layer (no dropout), trained with SGD: the
    /// bias just before a BatchNorm gets a gradient that is zero up to rounding, which Adam would
    /// scale up to steps of the learning rate's size in directions that rounding picks.
    static func batchNormTrain(_ out: URL, _ extra: [String] = []) -> [String] {
        train(out, ["--batch-norm", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9"] + extra)
    }

    /// The largest relative difference over the tensors of the two runs' model files.
    static func largestDifference(_ a: URL, _ b: URL) throws -> (Double, [String: Double]) {
        let differences = relativeDifferences(try weights(a), try weights(b))
        return (differences.values.max() ?? .infinity, differences)
    }

    /// Global batches of 37 that 2 ranks split 18 + 19, 50 steps: with synchronised BatchNorm the
    /// parameters and running statistics are one process's within 1e-5; without, they are not.
    @Test func syncBatchNormOnTwoRanksMatchesOneProcessAndPlainBatchNormDoesNot() throws {
        let (single, synchronized, plain) = (Self.folder(), Self.folder(), Self.folder())
        defer { for f in [single, synchronized, plain] { try? FileManager.default.removeItem(at: f) } }
        let alone = try ChildProcess.run(Self.batchNormTrain(single))
        #expect(alone.exitStatus == 0, "\(alone.standardError)")
        let job = try MPIJob.run(ranks: 2, Self.batchNormTrain(synchronized, ["--sync-batch-norm"]))
        #expect(job.status == 0, "\(job.errors)")
        let unsynchronized = try MPIJob.run(ranks: 2, Self.batchNormTrain(plain))
        #expect(unsynchronized.status == 0, "\(unsynchronized.errors)")
        let (largest, differences) = try Self.largestDifference(single, synchronized)
        #expect(differences.keys.contains { $0.contains("running_var") } && differences.count >= 8, "\(differences.keys.sorted())")
        #expect(largest <= 1e-5, "\(differences)")
        let (apart, plainDifferences) = try Self.largestDifference(single, plain)
        #expect(apart > 1e-3, "each rank's own statistics should give other steps: \(plainDifferences)")
    }

    /// Batches of 2 on 3 ranks: rank 0 gets nothing of any batch, yet runs its passes for the others'
    /// statistics, and the job takes one process's steps.
    @Test func syncBatchNormWithAnEmptyShardMatchesOneProcess() throws {
        let (single, job) = (Self.folder(), Self.folder())
        defer { for f in [single, job] { try? FileManager.default.removeItem(at: f) } }
        let args = { (out: URL) in Self.batchNormTrain(out, ["--batch-size", "2", "--max-steps", "20", "--hidden", "16"]) }
        let alone = try ChildProcess.run(args(single))
        #expect(alone.exitStatus == 0, "\(alone.standardError)")
        let run = try MPIJob.run(ranks: 3, args(job) + ["--sync-batch-norm"])
        #expect(run.status == 0, "\(run.errors)")
        let (largest, differences) = try Self.largestDifference(single, job)
        #expect(largest <= 1e-5, "\(differences)")
    }

    /// Micro-batches on 3 ranks with shards of 1, 2 and 2: every rank takes 2 micro-steps, some of them
    /// on nothing, so that no rank waits for an exchange another skipped; the job ends with a finite loss.
    @Test func syncBatchNormWithAccumulationOnUnevenShardsFinishes() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try MPIJob.run(ranks: 3, Self.batchNormTrain(out, ["--batch-size", "5", "--accumulate", "2", "--max-steps", "10",
                                                                   "--hidden", "16", "--sync-batch-norm"]), timeout: 120)
        #expect(run.status == 0, "\(run.errors)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("result.json"))) as? [String: Any]
        #expect((result?["train_loss"] as? Double)?.isFinite == true, "\(result ?? [:])")
        #expect(result?["stop_reason"] as? String == "reached 10 steps")
    }
}
