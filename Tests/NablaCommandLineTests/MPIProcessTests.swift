import Foundation
import Testing
import Nabla

/// `nabla` under `mpirun -np 2`: exactness against one process, determinism, `nabla info`, and
/// the faults that must end in one line and a non-zero exit, never a hang. Skipped where Open
/// MPI's `mpirun` is not installed (`.ci/run` installs it).
@Suite(.serialized, .enabled(if: MPIJob.mpirun != nil, "mpirun is not installed (Debian: openmpi-bin libopenmpi3)"))
struct MPIProcessTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-mpi-\(UUID().uuidString)")
    }

    /// 50 steps of an MLP without dropout, with a global batch of 37 that 2 ranks split 18 + 19.
    static func train(_ out: URL, _ extra: [String] = []) -> [String] {
        ["train", "--data", "spirals", "--model", "mlp", "--hidden", "32", "--batch-size", "37", "--max-steps", "50",
         "--epochs", "100", "--seed", "5", "--json", "--out", out.path] + extra
    }

    static func weights(_ run: URL) throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: run.appendingPathComponent("model.safetensors")).tensors
    }

    /// ‖a − b‖ / ‖a‖ for each tensor.
    static func relativeDifferences(_ a: [String: Tensor], _ b: [String: Tensor]) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, tensor) in a {
            let (x, y) = (tensor.scalars, b[name]?.scalars ?? [])
            guard x.count == y.count else { result[name] = .infinity; continue }
            let difference = zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let norm = x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            result[name] = difference / Swift.max(norm, 1e-30)
        }
        return result
    }

    @Test func twoRanksMatchOneProcessAndRepeatBitForBit() throws {
        let (single, first, second) = (Self.folder(), Self.folder(), Self.folder())
        defer { for f in [single, first, second] { try? FileManager.default.removeItem(at: f) } }
        let alone = try ChildProcess.run(Self.train(single))
        #expect(alone.exitStatus == 0, "\(alone.standardError)")
        for out in [first, second] {
            let job = try MPIJob.run(ranks: 2, Self.train(out))
            #expect(job.status == 0, "\(job.errors)")
        }
        let reference = try Self.weights(single)
        let differences = Self.relativeDifferences(reference, try Self.weights(first))
        #expect(differences.count == 4 && differences.values.allSatisfy { $0 <= 1e-6 }, "\(differences)")
        #expect(try Self.weights(first).mapValues(\.scalars) == Self.weights(second).mapValues(\.scalars), "two runs on 2 ranks differ")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: first.appendingPathComponent("result.json"))) as? [String: Any]
        #expect(result?["stop_reason"] as? String == "reached 50 steps")
    }

    /// Batches of 2 on 3 ranks (one rank gets nothing of each batch) and `--batch-size all` on 2
    /// ranks still give the single process's parameters.
    @Test(arguments: [(3, "2"), (2, "all")])
    func unevenAndWholeBatchesMatchOneProcess(ranks: Int, batch: String) throws {
        let (single, job) = (Self.folder(), Self.folder())
        defer { for f in [single, job] { try? FileManager.default.removeItem(at: f) } }
        let args = { (out: URL) in Self.train(out, ["--batch-size", batch, "--max-steps", "20", "--hidden", "16"]) }
        #expect(try ChildProcess.run(args(single)).exitStatus == 0)
        let run = try MPIJob.run(ranks: ranks, args(job))
        #expect(run.status == 0, "\(run.errors)")
        let differences = Self.relativeDifferences(try Self.weights(single), try Self.weights(job))
        #expect(differences.count == 4 && differences.values.allSatisfy { $0 <= 1e-6 }, "\(differences)")
    }

    /// Gradient accumulation under 2 ranks: each rank splits its shard of the global batch into
    /// micro-batches and reduces once per step, which gives one process's full-batch steps.
    @Test func accumulationOnTwoRanksMatchesOneProcessWithout() throws {
        let (single, job) = (Self.folder(), Self.folder())
        defer { for f in [single, job] { try? FileManager.default.removeItem(at: f) } }
        let args = { (out: URL, extra: [String]) in Self.train(out, ["--max-steps", "20", "--hidden", "16"] + extra) }
        #expect(try ChildProcess.run(args(single, [])).exitStatus == 0)
        let run = try MPIJob.run(ranks: 2, args(job, ["--accumulate", "3"]))
        #expect(run.status == 0, "\(run.errors)")
        let differences = Self.relativeDifferences(try Self.weights(single), try Self.weights(job))
        #expect(differences.count == 4 && differences.values.allSatisfy { $0 <= 1e-6 }, "\(differences)")
    }

    /// The library API (ProcessGroup, DistributedDataParallel, DataShard, allReduce) in a program of
    /// its own: alone, on 2 ranks and on 3 it prints the same accuracy and weights.
    @Test func libraryExampleGivesTheSameFiguresOnOneTwoAndThreeRanks() throws {
        let example = ChildProcess.executable.deletingLastPathComponent().appendingPathComponent("example-distributed").path
        let alone = try MPIJob(executable: example, arguments: [])
        alone.wait(timeout: 120)
        #expect(alone.status == 0, "\(alone.errors)")
        // "ranks N: accuracy A, sum of squared weights W": A the same, W within float rounding.
        let figures = { (output: String) -> (String, Double) in
            let words = output.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" })
            return (words.count > 3 ? String(words[3]) : "", Double(words.last ?? "") ?? .nan)
        }
        #expect(alone.output.hasPrefix("ranks 1: accuracy"), "\(alone.output)")
        for ranks in [2, 3] {
            let job = try MPIJob.run(arguments: ["-np", "\(ranks)", example])
            #expect(job.status == 0, "\(job.errors)")
            let (one, many) = (figures(alone.output), figures(job.output))
            #expect(job.output.hasPrefix("ranks \(ranks): ") && one.0 == many.0, "\(job.output) vs \(alone.output)")
            #expect(Swift.abs(one.1 - many.1) <= 1e-5 * one.1, "\(job.output) vs \(alone.output)")
        }
    }

    @Test func infoReportsLibraryRankAndSize() throws {
        let job = try MPIJob.run(ranks: 2, ["info"])
        #expect(job.status == 0, "\(job.errors)")
        let lines = job.output.split(separator: "\n").filter { $0.hasPrefix("MPI: ") }
        #expect(lines.count == 2, "\(job.output)")
        for rank in 0..<2 { #expect(lines.contains { $0.contains("Open MPI") && $0.contains("rank \(rank) of 2") }, "\(lines)") }
        #expect(job.output.contains("threads: 1"), "two ranks on two cores get a thread each: \(job.output)")
    }

    @Test func ranksGivenOtherSettingsStopAtStartUp() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let (a, b) = (Self.train(out, ["--hidden", "8"]), Self.train(out, ["--hidden", "16"]))
        let job = try MPIJob.run(arguments: ["-np", "1", MPIJob.nabla] + a + [":", "-np", "1", MPIJob.nabla] + b, timeout: 60)
        #expect(job.status != 0)
        let errors = job.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains("ranks 1 of 2 were given other settings") == true, "\(job.errors)")
    }

    @Test func unwritableRunFolderOnRankZeroIsOneLine() throws {
        let file = Self.folder()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("not a folder".utf8).write(to: file)
        let job = try MPIJob.run(ranks: 2, Self.train(file.appendingPathComponent("run")), timeout: 60)
        #expect(job.status != 0)
        let errors = job.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains(file.path) == true, "\(job.errors)")
    }

    @Test func killedRankEndsTheJobWithinThirtySeconds() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let job = try MPIJob(arguments: ["-np", "2", MPIJob.nabla] + Self.train(out, ["--max-steps", "100000000", "--epochs", "100000"]))
        let model = out.appendingPathComponent("checkpoint")
        #expect(ChildProcess.poll(timeout: 120) { FileManager.default.fileExists(atPath: model.path) || !job.process.isRunning })
        guard let victim = MPIJob.rankProcess(1, under: job.process.processIdentifier) else {
            Issue.record("rank 1 not found: \(job.errors)")
            return
        }
        kill(victim, SIGKILL)
        let killed = Date()
        #expect(ChildProcess.poll(timeout: 30) { !job.process.isRunning }, "the job outlived its killed rank by 30 s")
        job.process.waitUntilExit()
        #expect(job.process.terminationStatus != 0)
        #expect(Date().timeIntervalSince(killed) < 30)
    }

    /// SIGTERM to rank 1 alone stops both ranks at the same step; rank 0 writes the checkpoint
    /// and reports, and the run resumes from it.
    @Test func aSignalToOneRankStopsAllWithACheckpoint() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let long = Self.train(out, ["--max-steps", "100000000", "--epochs", "100000"])
        let job = try MPIJob(arguments: ["-np", "2", MPIJob.nabla] + long)
        let model = out.appendingPathComponent("checkpoint")
        #expect(ChildProcess.poll(timeout: 120) { FileManager.default.fileExists(atPath: model.path) || !job.process.isRunning })
        guard let rank1 = MPIJob.rankProcess(1, under: job.process.processIdentifier) else {
            Issue.record("rank 1 not found: \(job.errors)")
            return
        }
        kill(rank1, SIGTERM)
        job.wait(timeout: 60)
        #expect(job.status == 128 + SIGTERM)
        let errors = job.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains("interrupted by SIGTERM") == true
                && errors.first?.contains("--resume") == true, "\(job.errors)")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("trainer.json"))) as? [String: Any]
        let steps = (state?["globalStep"] as? Int ?? 0) + 3
        let resumed = try MPIJob.run(ranks: 2, Self.train(out, ["--max-steps", "\(steps)", "--epochs", "100000", "--resume"]))
        #expect(resumed.status == 0, "\(resumed.errors)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("result.json"))) as? [String: Any]
        #expect(result?["stop_reason"] as? String == "reached \(steps) steps")
    }

    @Test func resumesOnOneProcessWhatTwoRanksStarted() throws {
        let (straight, split) = (Self.folder(), Self.folder())
        defer { for f in [straight, split] { try? FileManager.default.removeItem(at: f) } }
        let args = { (out: URL, epochs: Int) in Self.train(out, ["--max-steps", "100000", "--epochs", "\(epochs)"]) }
        #expect(try ChildProcess.run(args(straight, 2)).exitStatus == 0)
        let first = try MPIJob.run(ranks: 2, args(split, 1))
        #expect(first.status == 0, "\(first.errors)")
        let resumed = try ChildProcess.run(args(split, 2) + ["--resume"])
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        let differences = Self.relativeDifferences(try Self.weights(straight), try Self.weights(split))
        #expect(differences.count == 4 && differences.values.allSatisfy { $0 <= 1e-5 }, "\(differences)")
    }
}

/// A no-launcher failure needs no mpirun: the launcher's variables without a loadable MPI.
@Test func launcherWithoutAnMPILibraryIsOneLine() throws {
    let environment = ["OMPI_COMM_WORLD_SIZE": "2", "NABLA_MPI_LIBRARY": "/nonexistent/libmpi.so.40"]
    let job = try MPIJob(executable: MPIJob.nabla, arguments: ["info"], environment: environment)
    job.wait(timeout: 30)
    #expect(job.status == 1)
    let lines = job.errors.split(separator: "\n")
    #expect(lines.count == 1 && lines.first?.contains("OMPI_COMM_WORLD_SIZE=2") == true
            && lines.first?.contains("no MPI library could be loaded") == true, "\(job.errors)")
}
