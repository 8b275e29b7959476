import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Report: nice numbers")
struct NiceNumbersTests {
    @Test(arguments: [
        (0.13, false, 0.2), (0.13, true, 0.1), (1, false, 1), (1.4, true, 1), (1.6, true, 2),
        (2.9, true, 2), (3.2, false, 5), (4.5, true, 5), (7.5, true, 10), (6, false, 10), (230, false, 500),
    ])
    func niceRoundsToOneTwoFiveTimesAPowerOfTen(input: Double, round: Bool, expected: Double) {
        #expect(abs(NiceNumbers.nice(input, round: round) - expected) < 1e-12)
    }

    @Test func ticksCoverTheRangeAtRoundValues() {
        let ticks = NiceNumbers.ticks(min: 0.13, max: 2.31)
        #expect(ticks.values == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(ticks.labels == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        #expect(ticks.step == 0.5)

        let hundreds = NiceNumbers.ticks(min: 3, max: 97)
        #expect(hundreds.values == [0, 20, 40, 60, 80, 100])
        #expect(hundreds.labels.first == "0")
    }

    @Test func ticksAvoidFloatNoise() {
        let ticks = NiceNumbers.ticks(min: 0.1, max: 0.7)
        #expect(ticks.values == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
        #expect(ticks.labels == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
    }

    @Test func emptyRangeIsWidened() {
        let constant = NiceNumbers.ticks(min: 0.5, max: 0.5)
        #expect(constant.lower < 0.5 && constant.upper > 0.5)
        #expect(constant.values == [0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56])
        let zero = NiceNumbers.ticks(min: 0, max: 0)
        #expect(zero.values == [-1, -0.5, 0, 0.5, 1])
    }

    @Test func integerTicksNeverGoBelowOne() {
        let epochs = NiceNumbers.ticks(min: 1, max: 3, integer: true)
        #expect(epochs.values == [1, 2, 3])
        #expect(epochs.labels == ["1", "2", "3"])
    }

    @Test func largeAndTinyValuesUseScientificLabels() {
        #expect(NiceNumbers.ticks(min: 0, max: 3e6).labels == ["0", "5e5", "1e6", "1.5e6", "2e6", "2.5e6", "3e6"])
        #expect(NiceNumbers.ticks(min: 0, max: 9.5e6).labels == ["0", "2e6", "4e6", "6e6", "8e6", "1e7"])
        #expect(NiceNumbers.ticks(min: 1e-6, max: 5e-6).labels.last == "5e-6")
    }

    @Test func logTicksArePowersOfTen() {
        #expect(approximatelyEqual(NiceNumbers.logTicks(min: 3e-6, max: 0.2), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]))
        let wide = NiceNumbers.logTicks(min: 1e-14, max: 1e4)
        #expect(approximatelyEqual(wide, [1e-14, 1e-11, 1e-8, 1e-5, 1e-2, 10, 1e4]))
        let domain = NiceNumbers.logDomain(min: 3e-14, max: 2e3)
        #expect(approximatelyEqual([domain.lower, domain.upper], [1e-14, 1e4]))
    }

    @Test func narrowLogRangesGetTwoAndFiveTicks() {
        #expect(approximatelyEqual(NiceNumbers.logTicks(min: 0.3, max: 4), [0.1, 0.2, 0.5, 1, 2, 5, 10]))
        let constant = NiceNumbers.logDomain(min: 1, max: 1)
        #expect(approximatelyEqual([constant.lower, constant.upper], [0.1, 10]))
    }

    @Test func logLabelsArePlainInTheMiddleAndScientificOutside() {
        #expect(NiceNumbers.logLabel(0.001) == "0.001")
        #expect(NiceNumbers.logLabel(1) == "1")
        #expect(NiceNumbers.logLabel(1000) == "1000")
        #expect(NiceNumbers.logLabel(1e-7) == "1e-7")
        #expect(NiceNumbers.logLabel(2e-5) == "2e-5")
        #expect(NiceNumbers.logLabel(1e6) == "1e6")
    }
}

/// Element-wise equality to a relative tolerance, for values computed through `pow` and `log10`.
func approximatelyEqual(_ a: [Double], _ b: [Double], relative: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= relative * max(abs($0), abs($1)) }
}
