import Foundation
import NablaCore
import NablaBackend

/// Axis ticks at round values, after Heckbert's "nice numbers" (Graphics Gems, 1990).
///
/// ```swift
/// let ticks = NiceNumbers.ticks(min: 0.13, max: 2.31)
/// ticks.values   // [0, 0.5, 1, 1.5, 2, 2.5]
/// ticks.labels   // ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]
/// NiceNumbers.logTicks(min: 3e-6, max: 0.2)   // [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]
/// ```
public enum NiceNumbers {
    /// Evenly spaced ticks covering a range; `lower` and `upper` are the outermost ticks.
    public struct TickSet: Equatable, Sendable {
        public var lower: Double
        public var upper: Double
        public var step: Double
        public var values: [Double]
        /// Each value formatted with the same number of decimals, or in scientific notation when
        /// the values are very large or very small.
        public var labels: [String]
    }

    /// The 1, 2, 5 or 10 times a power of ten closest to `x` (`round: true`) or not below it.
    public static func nice(_ x: Double, round: Bool) -> Double {
        guard x.isFinite, x > 0 else { return 1 }
        let exponent = (log10(x)).rounded(.down)
        let power = pow(10, exponent)
        // Snaps float noise such as 1.0000000000000002 so that it does not jump to the next step.
        let fraction = (x / power * 1e9).rounded() / 1e9
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * power
    }

    /// About `maxCount` round ticks whose span covers `min...max`. An empty range is widened first;
    /// `integer` keeps the step at 1 or more, for counts such as epochs.
    public static func ticks(min: Double, max: Double, maxCount: Int = 6, integer: Bool = false) -> TickSet {
        var (low, high) = min <= max ? (min, max) : (max, min)
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if high - low <= abs(high) * 1e-12 {
            let pad = integer ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            (low, high) = (low - pad, high + pad)
        }
        // Heckbert first rounds the span up too; skipping that keeps ranges from growing by up to 2.5×.
        var step = nice((high - low) / Double(Swift.max(maxCount - 1, 1)), round: true)
        if integer { step = Swift.max(step, 1) }
        // The slack keeps float noise such as 5.000000000000001 steps from adding a whole step.
        let lower = (low / step + 1e-9).rounded(.down) * step
        let upper = (high / step - 1e-9).rounded(.up) * step
        let count = Int(((upper - lower) / step).rounded())
        let decimals = Swift.max(0, -Int(log10(step).rounded(.down)))
        let values = (0...count).map { roundTo(lower + Double($0) * step, decimals: decimals) }
        return TickSet(
            lower: values.first ?? lower, upper: values.last ?? upper, step: step,
            values: values, labels: labels(for: values, decimals: decimals))
    }

    /// Ticks at powers of ten covering `min...max` (both positive), every second or third power when
    /// the range spans many decades, and with 2 and 5 multiples added when it spans at most two.
    public static func logTicks(min: Double, max: Double) -> [Double] {
        let (low, high) = logDomain(min: min, max: max)
        let lowExp = Int(log10(low).rounded())
        let highExp = Int(log10(high).rounded())
        let decades = highExp - lowExp
        let stride = Swift.max(1, Int((Double(decades) / 8).rounded(.up)))
        var ticks: [Double] = []
        for exponent in Swift.stride(from: lowExp, through: highExp, by: stride) {
            let power = pow(10, Double(exponent))
            ticks.append(power)
            if decades <= 2 && exponent < highExp {
                ticks += [2 * power, 5 * power]
            }
        }
        return ticks
    }

    /// The powers of ten just outside `min...max`; at least one decade wide.
    public static func logDomain(min: Double, max: Double) -> (lower: Double, upper: Double) {
        guard min > 0, max > 0, min.isFinite, max.isFinite else { return (0.1, 10) }
        var lowExp = log10(Swift.min(min, max)).rounded(.down)
        var highExp = log10(Swift.max(min, max)).rounded(.up)
        if highExp == lowExp {
            lowExp -= 1
            highExp += 1
        }
        let decades = Int(highExp - lowExp)
        let stride = Swift.max(1, Int((Double(decades) / 8).rounded(.up)))
        lowExp = highExp - Double(((decades + stride - 1) / stride) * stride)
        return (pow(10, lowExp), pow(10, highExp))
    }

    /// A log-axis label: plain decimals from 0.001 to 10000, `1e-7` style outside that.
    public static func logLabel(_ value: Double) -> String {
        guard value > 0, value.isFinite else { return "0" }
        let exponent = decimalExponent(value)
        if (-3...4).contains(exponent) {
            return plain(roundTo(value, decimals: Swift.max(0, -exponent)), decimals: Swift.max(0, -exponent))
        }
        let mantissa = roundTo(value / pow(10, Double(exponent)), decimals: 1)
        let head = mantissa == mantissa.rounded() ? String(Int(mantissa)) : plain(mantissa, decimals: 1)
        return head + "e" + String(exponent)
    }

    static func labels(for values: [Double], decimals: Int) -> [String] {
        let largest = values.map(abs).max() ?? 0
        if largest >= 1e6 || (decimals > 4 && largest > 0) {
            return values.map(scientific)
        }
        return values.map { plain($0, decimals: decimals) }
    }

    static func plain(_ value: Double, decimals: Int) -> String {
        let clean = abs(value) < pow(10, -Double(decimals) - 1) ? 0 : value
        return String(format: "%.\(decimals)f", clean)
    }

    /// `2.5e-5`, `1e6`, with the mantissa to at most two decimals.
    static func scientific(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return value == 0 ? "0" : String(value) }
        let exponent = decimalExponent(value)
        var mantissa = String(format: "%.2f", value / pow(10, Double(exponent)))
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return mantissa + "e" + String(exponent)
    }

    /// ⌊log10 |value|⌋, nudged so that exact powers of ten never land one below.
    static func decimalExponent(_ value: Double) -> Int {
        Int((log10(abs(value)) + 1e-12).rounded(.down))
    }

    static func roundTo(_ value: Double, decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}
