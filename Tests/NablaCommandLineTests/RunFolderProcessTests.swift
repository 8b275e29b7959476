import Foundation
import Testing
import Nabla

/// `nabla train` as separate processes: the run-folder lock, and the checkpoint a signal leaves.
@Suite(.serialized) struct RunFolderProcessTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nabla-process-\(UUID().uuidString)")
    }

    /// A short classification run; `epochs` long enough that a signal lands before it ends.
    static func train(_ out: URL, epochs: Int, _ extra: [String] = []) -> [String] {
        ["train", "--data", "xor", "--hidden", "16", "--batch-size", "16", "--lr", "0.01", "--seed", "3",
         "--epochs", "\(epochs)", "--out", out.path, "--json"] + extra
    }

    /// Waits until the first checkpoint of a training in `out` is on disk.
    static func waitForCheckpoint(_ out: URL, of child: ChildProcess) -> Bool {
        ChildProcess.poll(timeout: 120) {
            FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path) || !child.process.isRunning
        } && child.process.isRunning
    }

    @Test func secondTrainingInTheSameFolderFailsNamingTheHolder() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        let holder = try ChildProcess(Self.train(out, epochs: 100_000))
        #expect(Self.waitForCheckpoint(out, of: holder), "the first training ended early: \(holder.standardError)")

        let second = try ChildProcess.run(Self.train(out, epochs: 100_000, ["--resume"]), timeout: 30)
        #expect(second.exitStatus == 1)
        let lines = second.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("process \(holder.pid)") == true, "\(second.standardError)")

        kill(holder.pid, SIGKILL)   // the lock dies with its holder, wherever the kill lands
        holder.wait()
        let third = try ChildProcess.run(Self.train(out, epochs: 1, ["--resume"]))
        #expect(third.exitStatus == 0, "\(third.standardError)")
    }

    /// A signal finishes the step, writes a checkpoint, releases the lock and exits with 128 + the
    /// signal; resuming then ends with the very weights of a run that was never interrupted.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalLeavesAResumableCheckpoint(_ signal: Int32) throws {
        let reference = Self.folder(), out = Self.folder()
        defer { for f in [reference, out] { try? FileManager.default.removeItem(at: f) } }
        let epochs = 12
        let straight = try ChildProcess.run(Self.train(reference, epochs: epochs))
        #expect(straight.exitStatus == 0, "\(straight.standardError)")

        let child = try ChildProcess(Self.train(out, epochs: epochs))
        #expect(Self.waitForCheckpoint(out, of: child), "the training ended before the signal: \(child.standardError)")
        usleep(30_000)   // into the next epoch, most likely mid-epoch
        kill(child.pid, signal)
        child.wait()
        #expect(child.exitStatus == 128 + signal)
        let lines = child.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("interrupted") == true && lines.first?.contains("--resume") == true,
                "\(child.standardError)")

        let resumed = try ChildProcess.run(Self.train(out, epochs: epochs, ["--resume"]))
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        let a = try Data(contentsOf: reference.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
        #expect(a == b, "the resumed run's weights differ from the uninterrupted run's")
    }

    @Test func evalOnAHostileRunFolderIsOneLine() throws {
        let out = Self.folder()
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(try ChildProcess.run(Self.train(out, epochs: 1)).exitStatus == 0)
        // A hostile value in a consistent folder: the manifest records the edited file.
        let config = out.appendingPathComponent("checkpoint/config.json")
        let manifestURL = out.appendingPathComponent("checkpoint/manifest.json")
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "\"syntheticCount\" : 1000", with: "\"syntheticCount\" : -1")
        var manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: manifestURL))
        manifest.files["config.json"] = CheckpointManifest.Entry(of: Data(text.utf8))
        for (url, data) in [(config, Data(text.utf8)), (manifestURL, try JSONEncoder().encode(manifest))] {
            try FileManager.default.removeItem(at: url)
            try data.write(to: url)
        }
        let eval = try ChildProcess.run(["eval", "--checkpoint", out.path])
        #expect(eval.exitStatus == 1)
        let lines = eval.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: \(config.path): syntheticCount -1: must be in [1, ") == true,
                "\(eval.standardError)")
    }
}
