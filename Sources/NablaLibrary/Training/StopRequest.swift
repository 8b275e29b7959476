#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A request that training stop after the step in progress: from another thread with `request()`,
/// or from a signal (Ctrl-C, `kill`) with `onSignals`. `Trainer` checks it before every step; when
/// it is set, the trainer writes a checkpoint that resumes exactly there, and throws
/// `TrainingError.interrupted`.
///
/// ```swift
/// trainer.stopRequest = StopRequest.onSignals([SIGINT, SIGTERM])
/// do { try trainer.fit() } catch TrainingError.interrupted { /* a resumable checkpoint is on disk */ }
/// ```
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var receivedSignal: Int32?
    private let listensForSignals: Bool

    /// A request that nothing has made yet.
    public convenience init() { self.init(listensForSignals: false) }

    private init(listensForSignals: Bool) {
        self.listensForSignals = listensForSignals
    }

    /// Asks training to stop after the current step.
    public func request() {
        lock.withLock { requested = true }
    }

    /// Whether a stop was asked for, by `request()` or by a signal.
    public var isRequested: Bool {
        lock.withLock {
            takeSignal()
            return requested
        }
    }

    /// The signal that asked for the stop, if a signal did.
    public var signal: Int32? {
        lock.withLock {
            takeSignal()
            return receivedSignal
        }
    }

    private func takeSignal() {
        guard listensForSignals, let signal = SignalPipe.take() else { return }
        requested = true
        receivedSignal = signal
    }

    /// The process's request that `signals` set. The first of them no longer ends the process but
    /// asks for a stop; a second one ends it at once, as the system default would.
    public static func onSignals(_ signals: [Int32]) -> StopRequest {
        SignalPipe.install(signals)
        return signalled
    }

    private static let signalled = StopRequest(listensForSignals: true)

    /// A signal's usual name: `SIGINT`, `SIGTERM`, or `signal 10`.
    public static func name(of signal: Int32) -> String {
        let names: [Int32: String] = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT",
                                      SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2"]
        return names[signal] ?? "signal \(signal)"
    }
}

/// A signal handler may do almost nothing safely; it writes the signal's number into a pipe,
/// which `StopRequest` reads without blocking.
private enum SignalPipe {
    static let descriptors: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return (-1, -1) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWriteEnd = ends[1]
        return (ends[0], ends[1])
    }()

    static func install(_ signals: [Int32]) {
        _ = descriptors
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals {
            sigaddset(&set, number)
            _ = signal(number, recordSignal)
        }
        // A parent may start us with these signals blocked; they must reach this process.
        _ = pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The last signal written since the previous call, if any.
    static func take() -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        var last: Int32?
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptors.read, $0.baseAddress, $0.count) }
            guard count > 0 else { return last }
            last = Int32(buffer[count - 1])
        }
    }
}

nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The handler: records the signal and restores the default action for the next one.
private func recordSignal(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
    _ = signal(number, SIG_DFL)
    errno = saved
}
