import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

/// Collects what a progress bar writes, and plays the clock.
private final class Recorder {
    var writes: [String] = []
    var now = 100.0

    func output(isTerminal: Bool) -> ProgressBar.Output {
        ProgressBar.Output(isTerminal: isTerminal) { self.writes.append($0) }
    }
}

@Suite("Report: progress bar")
struct ProgressBarTests {
    @Test func formatsDurations() {
        #expect(ReportFormat.duration(0) == "0:00")
        #expect(ReportFormat.duration(7.4) == "0:07")
        #expect(ReportFormat.duration(62) == "1:02")
        #expect(ReportFormat.duration(3599.6) == "1:00:00")
        #expect(ReportFormat.duration(3723) == "1:02:03")
        #expect(ReportFormat.duration(36_610) == "10:10:10")
        #expect(ReportFormat.duration(.nan) == "--:--")
        #expect(ReportFormat.duration(-1) == "--:--")
    }

    @Test func formatsRatesAndMetrics() {
        #expect(ReportFormat.rate(5321.4) == "5321")
        #expect(ReportFormat.rate(45.25) == "45.2")
        #expect(ReportFormat.rate(3.14159) == "3.14")
        #expect(ReportFormat.rate(1_254_000) == "1.25M")
        #expect(ReportFormat.rate(.infinity) == "--")
        #expect(ReportFormat.metric(0.421349) == "0.4213")
        #expect(ReportFormat.metric(2) == "2.0000")
        #expect(ReportFormat.metric(1.5e-5) == "1.500e-05")
        #expect(ReportFormat.metric(.nan) == "nan")
    }

    @Test func plainOutputWritesALineEveryTenthAndAtTheEnd() {
        let recorder = Recorder()
        let bar = ProgressBar(epoch: 3, epochs: 10, steps: 20, output: recorder.output(isTerminal: false),
                              clock: { recorder.now })
        for step in 1...20 {
            recorder.now += 0.5
            bar.update(step: step, samples: step * 100, metrics: [("loss", 0.5), ("acc", 0.85123)])
        }
        bar.finish()
        #expect(recorder.writes.count == 10)
        #expect(recorder.writes.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        #expect(recorder.writes[0] == "epoch 3/10 [█░░░░░░░░░]  2/20 loss 0.5000 acc 0.8512 200 samples/s ETA 0:09\n")
        #expect(recorder.writes[4] == "epoch 3/10 [█████░░░░░] 10/20 loss 0.5000 acc 0.8512 200 samples/s ETA 0:05\n")
        #expect(recorder.writes[9] == "epoch 3/10 [██████████] 20/20 loss 0.5000 acc 0.8512 200 samples/s took 0:10\n")
    }

    @Test func finishWritesAnUnfinishedEpochsLastState() {
        let recorder = Recorder()
        let bar = ProgressBar(epoch: 1, epochs: 1, steps: 469, output: recorder.output(isTerminal: false),
                              clock: { recorder.now })
        recorder.now += 2
        bar.update(step: 30, samples: 3840)
        bar.finish()
        bar.finish()
        #expect(recorder.writes == ["epoch 1/1 [░░░░░░░░░░]  30/469 1920 samples/s ETA 0:29\n"])
    }

    @Test func terminalOutputRedrawsInPlaceAtMostTenTimesASecond() {
        let recorder = Recorder()
        let bar = ProgressBar(epoch: 1, epochs: 2, steps: 100, output: recorder.output(isTerminal: true),
                              clock: { recorder.now })
        for step in 1...100 {
            recorder.now += 0.01
            bar.update(step: step, samples: step * 32, metrics: [("loss", 1 / Double(step))])
        }
        bar.finish()
        let redraws = recorder.writes.dropLast()
        #expect(redraws.count >= 10 && redraws.count <= 12)
        #expect(redraws.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") && !$0.contains("\n") })
        #expect(recorder.writes.last == "\repoch 1/2 [██████████] 100/100 loss 0.0100 3200 samples/s took 0:01\u{1B}[K\n")
    }

    @Test func lineBeforeAnyProgressHasNoRateOrETA() {
        let bar = ProgressBar(epoch: 1, epochs: 5, steps: 10, output: .init { _ in }, clock: { 0 })
        #expect(bar.line(step: 0, samples: 0, metrics: [], elapsed: 0) == "epoch 1/5 [░░░░░░░░░░]  0/10 -- samples/s ETA --:--")
    }
}

@Suite("Runs: console progress")
struct ConsoleProgressTests {
    @Test("the epoch summary and warnings end their lines, on a terminal and off it", arguments: [false, true])
    func linesEnd(onTerminal: Bool) {
        var text = ""
        let progress = ConsoleProgress(epochs: 2, output: ProgressBar.Output(isTerminal: onTerminal) { text += $0 })
        progress.epochDidBegin(1, batches: 1)
        progress.stepDidEnd(StepInfo(epoch: 1, batch: 0, batches: 1, globalStep: 1, loss: 0.5, runningLoss: 0.5,
                                     runningAccuracy: 0.75, samples: 4, samplesSoFar: 4, gradientNorm: 1))
        progress.epochDidEnd(EpochRecord(epoch: 1, trainLoss: 0.5, trainAccuracy: 0.75, learningRate: 0.01, seconds: 1.25))
        progress.trainingDidWarn("gradient norm of layer 0 is 0")
        text += "test accuracy 0.9000"
        let lines = text.split(separator: "\n").map { $0.split(separator: "\r").last.map(String.init) ?? "" }
        #expect(lines.contains("epoch 1/2: train loss 0.5000 acc 0.7500 | lr 0.01 | 1.2s"))
        #expect(lines.suffix(2) == ["warning: gradient norm of layer 0 is 0", "test accuracy 0.9000"])
    }
}
