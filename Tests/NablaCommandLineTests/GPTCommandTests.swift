import Foundation
import Testing
import Nabla

/// `nabla train --model gpt --data text:PATH`, `nabla generate` and `nabla eval` on a text run, end to end.
@Suite(.serialized) struct GPTCommandTests {
    /// A folder holding `input.txt`: 2,869 characters of a 10-character alphabet.
    static func textFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-gpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let verse = (0..<200).map { i in ["the cat sat", "a hat, a mat", "that cat"][i % 3] + " \(["at", "ha", "ta"][i % 3])\n" }.joined()
        try Data(verse.utf8).write(to: folder.appendingPathComponent("input.txt"))
        return folder
    }

    /// The CI-sized run: 1 layer, 2 heads, embed 16, block 8, a few steps.
    static func train(_ folder: URL, _ extra: [String] = []) -> [String] {
        ["train", "--data", "text:" + folder.appendingPathComponent("input.txt").path, "--model", "gpt", "--layers", "1", "--heads", "2",
         "--embed", "16", "--block-size", "8", "--batch-size", "4", "--optimizer", "adamw", "--max-steps", "12", "--epochs", "2",
         "--seed", "1", "--out", folder.appendingPathComponent("run").path] + extra
    }

    @Test func trainsGeneratesAndEvaluates() throws {
        let folder = try Self.textFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let trained = try ChildProcess.run(Self.train(folder))
        #expect(trained.exitStatus == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("bpc)"), "\(trained.standardOutput)")

        let generate = ["generate", "--checkpoint", run, "--prompt", "the ", "--tokens", "40", "--temperature", "0.8", "--seed", "3"]
        let first = try ChildProcess.run(generate), second = try ChildProcess.run(generate)
        #expect(first.exitStatus == 0, "\(first.standardError)")
        #expect(first.standardOutput.hasPrefix("the ") && first.standardOutput.unicodeScalars.count == 4 + 40 + 1)
        #expect(first.standardOutput == second.standardOutput)
        let greedy = try ChildProcess.run(["generate", "--checkpoint", run, "--temperature", "0", "--top-k", "3", "--tokens", "10"])
        #expect(greedy.exitStatus == 0 && greedy.standardOutput.unicodeScalars.count == 1 + 10 + 1, "\(greedy.standardError)")

        let eval = try ChildProcess.run(["eval", "--checkpoint", run])
        #expect(eval.exitStatus == 0, "\(eval.standardError)")
        #expect(eval.standardOutput.contains("held-out tail of text:") && eval.standardOutput.contains("bits per character"))
        let json = try ChildProcess.run(["eval", "--checkpoint", run, "--json"])
        let figures = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as! [String: Double]
        #expect(Swift.abs(figures["bpc"]! - figures["loss"]! / Foundation.log(2.0)) < 1e-9)
        #expect(figures["windows"] == 35)   // the last 287 characters in windows of 8

        let resumed = try ChildProcess.run(Self.train(folder, ["--block-size", "4", "--resume"]))
        #expect(resumed.exitStatus == 1)
        #expect(resumed.standardError == "error: --block-size 4 differs from the run's own (8); a resumed run keeps its configuration, so leave it out or start a new run in another --out\n")
    }

    @Test func badInputGetsOneLineAndAFailingExit() throws {
        let folder = try Self.textFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func failure(_ arguments: [String]) throws -> String {
            let child = try ChildProcess.run(arguments)
            #expect(child.exitStatus == 1, "\(arguments): \(child.standardError)")
            #expect(child.standardError.split(separator: "\n").count == 1, "\(child.standardError)")
            return child.standardError
        }
        #expect(try failure(Self.train(folder, ["--heads", "3"])).hasPrefix("error: --heads 3 does not divide --embed 16"))
        let text = folder.appendingPathComponent("input.txt")
        try Data([0x68, 0x69, 0xFE, 0x21]).write(to: text)
        #expect(try failure(Self.train(folder)) == "error: \(text.path): byte 2: not valid UTF-8 (byte 0xfe); save the text as UTF-8\n")
        try Data().write(to: text)
        #expect(try failure(Self.train(folder)).hasPrefix("error: \(text.path): the file is empty"))

        // A run that is not a language model, and a prompt the vocabulary lacks.
        let xor = folder.appendingPathComponent("xor").path
        #expect(try ChildProcess.run(["train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--out", xor, "--json"]).exitStatus == 0)
        #expect(try failure(["generate", "--checkpoint", xor]).hasPrefix("error: the run trained mlp for classification on xor, not a language model"))
        try Data(String(repeating: "abc ", count: 40).utf8).write(to: text)
        #expect(try ChildProcess.run(Self.train(folder)).exitStatus == 0)
        let run = folder.appendingPathComponent("run").path
        let noPrompt = try ChildProcess.run(["generate", "--checkpoint", run, "--tokens", "5"])   // no line break in the text
        #expect(noPrompt.exitStatus == 0 && noPrompt.standardOutput.hasPrefix(" ") && noPrompt.standardOutput.unicodeScalars.count == 7)
        #expect(try failure(["generate", "--checkpoint", run, "--prompt", "abz"])
                == "error: the character \"z\" (U+007A) at position 2 is not in the vocabulary of 4 characters\n")
        #expect(try failure(["generate", "--checkpoint", run, "--top-p", "1.5"]) == "error: --top-p 1.5: must be in (0, 1]\n")
        #expect(try failure(["predict", "--checkpoint", run, "--input", text.path]).hasPrefix("error: \(run) is a language model; continue text with `nabla generate"))
    }
}
