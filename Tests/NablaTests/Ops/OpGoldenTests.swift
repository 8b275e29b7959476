import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Every op against PyTorch golden values (Tests/Fixtures/ops.json): forward and input gradients,
/// at the tolerance each case carries.
@Suite struct OpGoldenTests {
    static let cases = Fixtures.load("ops")

    @Test(arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) throws {
        let inputs = c.inputs.map(\.tensor)
        let out = try #require(OpTable.apply(c.op, c.args, inputs), "no Swift mapping for op \(c.op)")
        let rtol = try #require(c.rtol, "\(c.name) has no rtol; regenerate ops.json with make_fixtures.py")
        expectMatchesGolden(c, inputs: inputs, output: out, rtol: rtol)
    }

    @Test func everyFixtureOpIsMapped() {
        let missing = Set(Self.cases.map(\.op)).filter { OpTable.apply($0, [:], []) == nil && !OpTable.known.contains($0) }
        #expect(missing.isEmpty, "ops without a Swift mapping: \(missing.sorted())")
    }
}
