import Foundation
import Nabla

extension NablaCommand {
    /// Ends the program with one line on standard error and exit code 1 when `NABLA_THREADS` holds
    /// anything but a thread count (the library would fall back to one thread per core), or `NABLA_SIMD`
    /// names no variant or one the CPU cannot run (refused here, before any kernel could fault).
    public static func checkEnvironment() {
        if let message = environmentProblem(ProcessInfo.processInfo.environment) {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }

    /// What is wrong with `environment`'s settings for Nabla, in one line, or `nil`.
    static func environmentProblem(_ environment: [String: String]) -> String? {
        do {
            _ = try Parallel.threads(environment: environment["NABLA_THREADS"])
            _ = try SIMDVariant.resolve(environment: environment["NABLA_SIMD"])
            return nil
        } catch {
            return "\(error)"
        }
    }
}
