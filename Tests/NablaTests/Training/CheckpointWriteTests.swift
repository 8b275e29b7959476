import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// A checkpoint is one atomic unit: wherever the writer stops, and whichever write fails, the
/// folder holds one whole checkpoint, the previous one or the new one.
@Suite struct CheckpointWriteTests {
    /// A copy of `folder` as it is on disk now, links kept as links.
    static func capture(_ folder: URL) throws -> URL {
        let copy = RunFolder.path("capture")
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", folder.path, copy.path]
        try cp.run()
        cp.waitUntilExit()
        #expect(cp.terminationStatus == 0)
        return copy
    }

    /// A trainer trained `epochs` epochs, its checkpoint written to a new folder.
    static func checkpointed(epochs: Int) throws -> (Trainer, URL) {
        let trainer = TrainerTests.makeTrainer(seed: 7, epochs: epochs)
        try trainer.fit()
        let folder = TrainerTests.temporaryDirectory()
        try trainer.saveCheckpoint(to: folder)
        return (trainer, folder)
    }

    /// The epoch and the weights that a fresh trainer resumed from `folder` has.
    static func resumed(_ folder: URL) throws -> (Int, [[Float]]) {
        let trainer = TrainerTests.makeTrainer(seed: 99, epochs: 5)
        try trainer.resume(from: folder)
        return (trainer.epoch, trainer.model.namedState().map(\.1.scalars))
    }

    @Test func stoppingTheWriterAnywhereLeavesOneWholeCheckpoint() throws {
        let (trainer, folder) = try Self.checkpointed(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = trainer.model.namedState().map(\.1.scalars)
        trainer.stop.maxEpochs = 2
        try trainer.fit()
        let after = trainer.model.namedState().map(\.1.scalars)
        #expect(before != after)

        var captures: [(CheckpointFolder.Stage, URL)] = []
        defer { for (_, copy) in captures { try? FileManager.default.removeItem(at: copy) } }
        try trainer.saveCheckpoint(to: folder) { stage in captures.append((stage, try Self.capture(folder))) }
        #expect(captures.count == 11)   // before and after 4 files (3 and the manifest), switched, linked, cleaned
        var switched = false
        for (stage, copy) in captures {
            if case .switched = stage { switched = true }
            let (epoch, weights) = try Self.resumed(copy)
            #expect(epoch == (switched ? 2 : 1), "stopped at \(stage)")
            #expect(weights == (switched ? after : before), "stopped at \(stage): weights of another epoch")
            try TrainerTests.makeTrainer(seed: 1, epochs: 1).saveCheckpoint(to: copy)
            #expect(try FileManager.default.contentsOfDirectory(atPath: copy.appendingPathComponent("snapshots").path).count == 1,
                    "the next checkpoint removes what the stopped writer left (\(stage))")
        }
    }

    /// `nabla eval` on a folder that a training is writing reads whole checkpoints, whichever it finds.
    @Test func readersDuringTrainingSeeWholeCheckpoints() throws {
        let folder = TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = TrainerTests.makeTrainer(seed: 2, epochs: 60)
        trainer.checkpointDirectory = folder
        let done = StopRequest()
        let failures = ReadResults()
        let reader = Thread {
            while !done.isRequested {
                guard CheckpointFolder(folder).exists else { continue }
                do { failures.append(try CheckpointFolder(folder).read().manifest.epoch) } catch { failures.append("\(error)") }
            }
        }
        reader.start()
        try trainer.fit()
        done.request()
        while !reader.isFinished { usleep(1_000) }
        #expect(failures.errors.isEmpty, "\(failures.errors.prefix(3))")
        #expect(failures.reads > 0)
    }

    /// The snapshot a reader holds outlives the checkpoints written while it reads (a slow reader of a
    /// fast training lost every retry when the writer removed each snapshot under it); the first
    /// checkpoint after the reader lets go removes it.
    @Test func aSnapshotBeingReadStaysUntilItsReaderLetsGo() throws {
        let (trainer, folder) = try Self.checkpointed(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapshots = folder.appendingPathComponent(CheckpointFolder.snapshotsFolder)
        let held = snapshots.appendingPathComponent(try #require(CheckpointFolder(folder).linkedSnapshot))
        var reader = SnapshotLease(held)
        #expect(reader != nil)
        try trainer.saveCheckpoint(to: folder)
        try trainer.saveCheckpoint(to: folder)
        #expect(FileManager.default.fileExists(atPath: held.appendingPathComponent(CheckpointManifest.file).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: snapshots.path).count == 2, "the current snapshot and the held one")
        #expect(try CheckpointFolder(folder).read().manifest.epoch == 1)
        reader = nil
        try trainer.saveCheckpoint(to: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: snapshots.path).count == 1)
        #expect(!FileManager.default.fileExists(atPath: held.path))
    }

    /// What a reading thread saw.
    final class ReadResults: @unchecked Sendable {
        private let lock = NSLock()
        private var epochs: [Int] = [], messages: [String] = []
        var reads: Int { lock.withLock { epochs.count } }
        var errors: [String] { lock.withLock { messages } }
        func append(_ epoch: Int) { lock.withLock { epochs.append(epoch) } }
        func append(_ error: String) { lock.withLock { messages.append(error) } }
    }

    @Test func aFullDiskLeavesThePreviousCheckpoint() throws {
        for failing in 0..<4 {
            let (trainer, folder) = try Self.checkpointed(epochs: 1)
            defer { try? FileManager.default.removeItem(at: folder) }
            let before = trainer.model.namedState().map(\.1.scalars)
            trainer.stop.maxEpochs = 2
            try trainer.fit()
            var writes = 0
            let text = RunFolder.message {
                try trainer.saveCheckpoint(to: folder) { stage in
                    guard case .willWrite(let url) = stage else { return }
                    defer { writes += 1 }
                    guard writes == failing else { return }
                    try Data(repeating: 7, count: 100).write(to: url)   // half a file, then the disk is full
                    throw FileError(path: url.path, operation: "write", reason: "writing: No space left on device")
                }
            }
            #expect(text?.hasSuffix(": writing: No space left on device") == true, "\(text ?? "no error")")
            let (epoch, weights) = try Self.resumed(folder)
            #expect(epoch == 1 && weights == before, "failing write \(failing)")
            let snapshots = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("snapshots").path)
            #expect(snapshots.count == 1, "the unfinished snapshot was left: \(snapshots)")
        }
    }

    /// A copy that followed the links (`cp -rL`, `rsync -L`) holds folders and files instead: it still
    /// loads, and the next checkpoint restores the links.
    @Test func copyThatFollowedTheLinksLoadsAndSaves() throws {
        let (trainer, folder) = try Self.checkpointed(epochs: 1)
        let copy = RunFolder.path("dereferenced")
        defer { for f in [folder, copy] { try? FileManager.default.removeItem(at: f) } }
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-rL", folder.path, copy.path]
        try cp.run()
        cp.waitUntilExit()
        let (epoch, weights) = try Self.resumed(copy)
        #expect(epoch == 1 && weights == trainer.model.namedState().map(\.1.scalars))
        try trainer.saveCheckpoint(to: copy)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: copy.appendingPathComponent("checkpoint").path).hasPrefix("snapshots/"))
        #expect(try Self.resumed(copy).0 == 1)
    }

    @Test func checkpointThatLinksOutsideItsFolderIsRefused() throws {
        let (_, folder) = try Self.checkpointed(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let link = folder.appendingPathComponent("checkpoint")
        try FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc")
        let text = RunFolder.message { _ = try Self.resumed(folder) }
        #expect(text == "\(link.path): links to \"/etc\", not to a snapshot in snapshots/\(CheckpointError.damagedHint)")
    }
}
