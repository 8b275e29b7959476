import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The run-folder lock within one process (the tests in NablaCommandLineTests take it from two).
@Suite struct FolderLockTests {
    @Test func aSecondHolderIsRefusedUntilTheFirstReleases() throws {
        let folder = try IOTempDirectory()
        let first = try FolderLock(folder.url)
        let pid = ProcessInfo.processInfo.processIdentifier
        #expect(throws: FolderLockError(path: folder.url.path, holder: pid)) { try FolderLock(folder.url) }
        #expect(throws: FolderLockError(path: folder.url.path, holder: pid)) { try FolderLock.checkFree(folder.url) }
        first.release()
        try FolderLock.checkFree(folder.url)
        let second = try FolderLock(folder.url)
        second.release()
    }

    @Test func aTrainingRunNamesTheHolder() throws {
        let folder = try IOTempDirectory()
        let lock = try FolderLock(folder.url)
        defer { lock.release() }
        let run = try TrainingRun(RunFolder.config())
        let expected = "\(folder.url.path): another training, process \(ProcessInfo.processInfo.processIdentifier), is writing this run folder; "
            + "wait for it to end, or choose another outputDirectory"
        #expect(RunFolder.message { try run.prepareOutput(folder.url, resume: false) } == expected)
        #expect(RunFolder.message { _ = try run.fit(outputDirectory: folder.url) } == expected)
        #expect(!CheckpointFolder(folder.url).exists)
    }

    @Test func aLinkPlantedAsTheLockFileIsNotFollowed() throws {
        let folder = try IOTempDirectory()
        try Data("precious".utf8).write(to: folder.file("victim"))
        try FileManager.default.createSymbolicLink(at: folder.file(FolderLock.fileName), withDestinationURL: folder.file("victim"))
        #expect(throws: FileError.self) { try FolderLock(folder.url) }
        #expect(try String(contentsOf: folder.file("victim"), encoding: .utf8) == "precious")
    }
}
