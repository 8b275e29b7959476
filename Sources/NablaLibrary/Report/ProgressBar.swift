import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import NablaCore
import NablaBackend
#endif

/// Number formats shared by the progress bar and the report tables.
///
/// ```swift
/// ReportFormat.duration(7)        // "0:07"
/// ReportFormat.duration(3723)     // "1:02:03"
/// ReportFormat.rate(5321.4)       // "5321"
/// ReportFormat.metric(0.421349)   // "0.4213"
/// ```
public enum ReportFormat {
    /// `m:ss` below an hour, `h:mm:ss` from an hour on; `--:--` when unknown (NaN, infinite, negative).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let ss = secs < 10 ? "0\(secs)" : "\(secs)"
        if hours == 0 { return "\(minutes):\(ss)" }
        return "\(hours):" + (minutes < 10 ? "0\(minutes)" : "\(minutes)") + ":" + ss
    }

    /// A per-second rate with sensible precision: `5321`, `45.2`, `3.14`, `1.25M`; `--` when unknown.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond >= 0 else { return "--" }
        if perSecond >= 1e6 { return String(format: "%.2fM", perSecond / 1e6) }
        if perSecond >= 100 { return String(Int(perSecond.rounded())) }
        if perSecond >= 10 { return String(format: "%.1f", perSecond) }
        return String(format: "%.2f", perSecond)
    }

    /// A loss or metric: four decimals, or scientific notation for very large or small magnitudes.
    public static func metric(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || (magnitude < 1e-3 && magnitude > 0) {
            return String(format: "%.3e", value)
        }
        return String(format: "%.4f", value)
    }
}

/// A one-line progress bar for an epoch:
/// `epoch 3/10 [██████░░░░] 120/469 loss 0.4213 acc 0.8512 5321 samples/s ETA 0:07`.
///
/// On a terminal it redraws in place at most `redrawsPerSecond` times a second; otherwise (a log file,
/// a pipe, or a test's sink) it writes a plain line at every tenth of the epoch and at the end.
///
/// ```swift
/// let bar = ProgressBar(epoch: 3, epochs: 10, steps: loader.count)
/// for (step, batch) in loader.enumerated() {
///     // ... train on batch ...
///     bar.update(step: step + 1, samples: (step + 1) * 128, metrics: [("loss", loss), ("acc", acc)])
/// }
/// bar.finish()
/// ```
public final class ProgressBar {
    /// Where the bar writes, and whether that is an interactive terminal.
    public struct Output {
        public var isTerminal: Bool
        public var write: (String) -> Void

        public init(isTerminal: Bool = false, write: @escaping (String) -> Void) {
            self.isTerminal = isTerminal
            self.write = write
        }

        /// Standard output, written through `print` so it stays in order with the program's other output.
        public static var standardOutput: Output {
            Output(isTerminal: isatty(STDOUT_FILENO) == 1) { text in
                print(text, terminator: "")
                fflush(nil)
            }
        }
    }

    public let epoch: Int
    public let epochs: Int
    public let steps: Int
    public var barWidth = 10
    public var redrawsPerSecond = 10.0

    private let output: Output
    private let clock: () -> Double
    private let start: Double
    private var lastDraw = -Double.infinity
    private var lastDecile = 0
    private var lastLine = ""
    private var current = 0
    private var finished = false

    /// - Parameters:
    ///   - steps: batches in the epoch.
    ///   - clock: seconds from any fixed origin; injectable for tests.
    public init(epoch: Int, epochs: Int, steps: Int, output: Output = .standardOutput,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        precondition(steps > 0, "ProgressBar: an epoch needs at least one step, got \(steps)")
        self.epoch = epoch
        self.epochs = epochs
        self.steps = steps
        self.output = output
        self.clock = clock
        self.start = clock()
    }

    /// Records that `step` of `steps` batches are done, `samples` samples in all since the epoch began.
    public func update(step: Int, samples: Int, metrics: [(String, Double)] = []) {
        guard !finished else { return }
        let now = clock()
        current = min(max(step, 0), steps)
        lastLine = line(step: current, samples: samples, metrics: metrics, elapsed: now - start)
        if output.isTerminal {
            guard current == steps || now - lastDraw >= 1 / redrawsPerSecond else { return }
            lastDraw = now
            output.write("\r" + lastLine + "\u{1B}[K")
        } else {
            let decile = current * 10 / steps
            guard decile > lastDecile else { return }
            lastDecile = decile
            output.write(lastLine + "\n")
        }
    }

    /// Ends the bar's line; call once after the last update. Safe to call more than once.
    public func finish() {
        guard !finished else { return }
        finished = true
        if output.isTerminal {
            output.write("\r" + lastLine + "\u{1B}[K\n")
        } else if lastDecile < 10 && !lastLine.isEmpty {
            output.write(lastLine + "\n")
        }
    }

    /// The text of the bar for the given state, without any control characters.
    public func line(step: Int, samples: Int, metrics: [(String, Double)], elapsed: Double) -> String {
        let fraction = Double(step) / Double(steps)
        let filled = min(barWidth, Int(fraction * Double(barWidth)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        let stepText = String(step)
        let padding = String(repeating: " ", count: max(String(steps).count - stepText.count, 0))
        var parts = ["epoch \(epoch)/\(epochs)", "[\(bar)]", "\(padding)\(stepText)/\(steps)"]
        parts += metrics.map { "\($0.0) \(ReportFormat.metric($0.1))" }
        parts.append("\(ReportFormat.rate(elapsed > 0 ? Double(samples) / elapsed : .nan)) samples/s")
        if step >= steps {
            parts.append("took \(ReportFormat.duration(elapsed))")
        } else {
            let eta = step > 0 ? elapsed / Double(step) * Double(steps - step) : .nan
            parts.append("ETA \(ReportFormat.duration(eta))")
        }
        return parts.joined(separator: " ")
    }
}
