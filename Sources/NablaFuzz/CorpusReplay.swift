import Foundation
import NablaFuzzTargets

/// Runs a target over files and folders of inputs, as libFuzzer would replay a corpus: the
/// `nabla-fuzz` of a plain build, for regression checks without the sanitizers.
struct CorpusReplay {
    let target: FuzzTarget

    /// Replays every file given, and every file inside every folder given; 1 if any is a finding.
    func run(paths: [String]) -> Int32 {
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("""
                nabla-fuzz: this build has no libFuzzer, so it only replays inputs: give corpus folders or files.
                Fuzz/run.sh builds the fuzzer (-sanitize=fuzzer,address).

                """.utf8))
            return 2
        }
        var (parsed, rejected, findings) = (0, 0, 0)
        for file in paths.flatMap(files) {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("\(file): cannot be read")
                findings += 1
                continue
            }
            switch target.run(data) {
            case .parsed: parsed += 1
            case .rejected: rejected += 1
            case .unexpected(let problem):
                print("\(file): FINDING: \(problem)")
                findings += 1
            }
        }
        print("\(target.name): replayed \(parsed + rejected + findings) inputs: \(parsed) parsed, \(rejected) rejected, \(findings) findings")
        return findings == 0 ? 0 : 1
    }

    /// The file itself, or the regular files in a folder (not recursively), sorted by name.
    private func files(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter { file in
            var isSubfolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isSubfolder) && !isSubfolder.boolValue
        }
    }
}
