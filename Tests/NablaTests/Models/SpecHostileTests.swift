import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Small hostile spec files: each is one `ModelSpecError`, never a trap inside the YAML library or a
/// stack overflow.
@Suite struct SpecHostileTests {
    private func error(_ text: String) -> ModelSpecError? {
        do {
            _ = try ModelSpec.parse(text, format: .yaml, name: "hostile.yaml")
        } catch {
            return error
        }
        return nil
    }

    @Test(arguments: ["4:08:44:08:0:08:8:44:08:8:8", "-190:20:30:15:45:12:34:56:12:34:56", "1:2"])
    func sexagesimalIntegersAreTextNotATrap(_ number: String) {
        let failure = error("input: [2]\nlayers:\n  - linear: \(number)\n")
        #expect(failure?.message.contains("whole number") == true, "\(String(describing: failure))")
    }

    @Test func closingBracketsInCommentsDoNotHideRealDepth() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let comment = "# " + String(repeating: "]", count: 20_000) + "\n"
        let failure = error(comment + "input: [2]\nlayers: " + deep + "\n")
        #expect(failure?.message.contains("nesting is deeper") == true, "\(String(describing: failure))")
    }

    @Test func closingBracketsInQuotedStringsDoNotHideRealDepth() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let quoted = "\"" + String(repeating: "]", count: 20_000) + "\""
        for text in ["input: [2]\nname: \(quoted)\nlayers: \(deep)\n", "input: [2]\nlayers: [\(quoted), \(deep)]\n",
                     "input: [2]\nlayers: ['\(String(repeating: "}", count: 20_000))', \(deep)]\n",
                     "input: [2]\nlayers: " + String(repeating: "[ 'it''s]' ", count: 20_000) + String(repeating: "]", count: 20_000) + "\n"] {
            let failure = error(text)
            #expect(failure?.message.contains("nesting is deeper") == true, "\(String(describing: failure))")
        }
    }

    @Test func ordinarySpecsWithBracketsInTextStillParse() throws {
        let text = "# layers [the usual] }} ]]\ninput: [1, 28, 28]  # one ]] image\nlayers:\n  - conv2d: {out: 4, kernel: 3}\n  - flatten\n  - linear: 10\n"
        let spec = try ModelSpec.parse(text, format: .yaml, name: "ok.yaml")
        #expect(spec.layers.count == 3)
    }
}
