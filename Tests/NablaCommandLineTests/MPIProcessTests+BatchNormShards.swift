import Foundation
import Testing
import Nabla

/// BatchNorm on each rank's own shard (not synchronised) needs 2 samples in every rank's part of every
/// batch: a last batch too short for that is dropped, and a batch size too small is one line and a
/// non-zero exit. In `MPIProcessTests`, whose jobs run one at a time.
extension MPIProcessTests {
    static func shardTrain(_ out: URL, batchSize: Int, _ extra: [String] = []) -> [String] {
        ["train", "--data", "moons", "--samples", "34", "--model", "mlp", "--hidden", "8", "--batch-norm", "--batch-size",
         "\(batchSize)", "--epochs", "1", "--val-split", "0", "--out", out.path] + extra
    }

    /// 34 samples in batches of 16 leave a last batch of 2, a sample per rank: it is dropped.
    @Test func aLastBatchGivingARankOneSampleIsDroppedWithPerRankBatchNorm() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let job = try MPIJob.run(ranks: 2, Self.shardTrain(out, batchSize: 16))
        #expect(job.status == 0, "\(job.errors)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("result.json"))) as? [String: Any]
        #expect((result?["train_loss"] as? Double)?.isFinite == true, "\(result ?? [:])")
    }

    /// Batches of 3 give one rank a single sample in every batch; with --accumulate 2, batches of 6 do too.
    @Test func aBatchGivingARankOneSampleIsAConfigurationError() throws {
        for (batch, extra, needed) in [(3, [String](), 4), (6, ["--accumulate", "2"], 8)] {
            let out = Self.folder()
            defer { try? FileManager.default.removeItem(at: out) }
            let job = try MPIJob.run(ranks: 2, Self.shardTrain(out, batchSize: batch, extra))
            #expect(job.status != 0)
            let message = "--batch-size \(batch) over 2 processes"
            #expect(job.errors.contains(message) && job.errors.contains("raise --batch-size to \(needed)"), "\(job.errors)")
            #expect(!job.errors.contains("Precondition failed"), "\(job.errors)")
        }
    }
}
