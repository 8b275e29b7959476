import Foundation

/// Which `Backend` runs the kernels: the one named by the environment variable `NABLA_BACKEND`
/// (`cpu`, the default, or `reference`), read once, unless a task has chosen another with `with(_:_:)`.
///
/// ```swift
/// let fast = x.matmul(w)
/// let slow = Backends.with(ReferenceBackend()) { x.matmul(w) }   // the same product, in plain loops
/// ```
package enum Backends {
    /// Every backend, by the names `NABLA_BACKEND` accepts.
    package static let all: [any Backend] = [CPUBackend(), ReferenceBackend()]

    /// The backend `NABLA_BACKEND` names, or the CPU backend when it is unset or empty.
    package static let selected: any Backend = named(environment: ProcessInfo.processInfo.environment["NABLA_BACKEND"])

    /// The backend a task chose with `with(_:_:)`; task-local, so tests that run at the same time
    /// each keep their own.
    @TaskLocal private static var scoped: (any Backend)?

    /// The backend the kernels of this task run on.
    @inline(__always) package static var current: any Backend { scoped ?? selected }

    /// Runs `body` with `backend` as `current` for this task (and the child tasks it starts); other
    /// tasks and threads keep theirs.
    package static func with<R>(_ backend: any Backend, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(backend, operation: body)
    }

    /// `with(_:_:)` for an asynchronous body.
    package static func with<R>(_ backend: any Backend, isolation: isolated (any Actor)? = #isolation,
                                _ body: () async throws -> R) async rethrows -> R {
        try await $scoped.withValue(backend, operation: body, isolation: isolation)
    }

    /// The backend called `name`, or nil.
    package static func named(_ name: String) -> (any Backend)? {
        all.first { $0.name == name.lowercased() }
    }

    /// The backend for a value of `NABLA_BACKEND`; an unknown name is a configuration error that stops the program.
    static func named(environment value: String?) -> any Backend {
        guard let value, !value.isEmpty else { return CPUBackend() }
        guard let backend = named(value) else {
            let names = all.map(\.name).joined(separator: ", ")
            preconditionFailure("NABLA_BACKEND=\(value) names no backend; use one of: \(names)")
        }
        return backend
    }
}
