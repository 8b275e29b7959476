import Foundation
import Testing
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// The check that a run folder is writable follows no link, and temporaries that a crash left
/// behind are gone once a run resumes.
@Suite struct WriteProbeTests {
    private static func entries(_ folder: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    }

    @Test func probeDoesNotFollowAPlantedLink() throws {
        let folder = RunFolder.path(), victim = RunFolder.path("victim")
        defer { for f in [folder, victim] { try? FileManager.default.removeItem(at: f) } }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: victim)
        // The name the probe once used, which anyone could predict from the process id.
        let planted = folder.appendingPathComponent(".nabla-write-test-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createSymbolicLink(at: planted, withDestinationURL: victim)

        try TrainingRun(RunFolder.config()).prepareOutput(folder, resume: false)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
        #expect(Self.entries(folder) == [planted.lastPathComponent], "the probe left \(Self.entries(folder))")
    }

    @Test func resumeRemovesStrayTemporaries() throws {
        let folder = try RunFolder.trained(epochs: 1), victim = RunFolder.path("victim")
        defer { for f in [folder, victim] { try? FileManager.default.removeItem(at: f) } }
        try Data("precious".utf8).write(to: victim)
        let strays = [".metrics.csv.tmp-\(UUID().uuidString)", ".nabla-write-test-4242", ".report.html.tmp-\(UUID().uuidString)"]
        try Data("half a file".utf8).write(to: folder.appendingPathComponent(strays[0]))
        try Data().write(to: folder.appendingPathComponent(strays[1]))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(strays[2]), withDestinationURL: victim)

        _ = try TrainingRun(RunFolder.config(epochs: 2)).fit(outputDirectory: folder, resume: true)
        let left = Self.entries(folder).filter { strays.contains($0) }
        #expect(left.isEmpty, "strays left: \(left)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
    }
}
