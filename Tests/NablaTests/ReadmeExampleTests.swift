import Foundation
import Testing
import Nabla

/// The README's code example is `Examples/Readme/main.swift`, word for word; CI runs it.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeShowsTheExampleAsItRuns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: root.appendingPathComponent("Examples/Readme/main.swift"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + example + "```\n"), "copy Examples/Readme/main.swift into the README's first code block")
    }
}
