import Foundation
import Synchronization

/// Which `Backend` runs the kernels: the one named by the environment variable `NABLA_BACKEND`
/// (`cpu`, the default, or `reference`), read once, unless a task has chosen another with `with(_:_:)`.
///
/// ```swift
/// let fast = x.matmul(w)
/// let slow = Backends.with(ReferenceBackend.self) { x.matmul(w) }   // the same product, in plain loops
/// ```
package enum Backends {
    /// Every backend, by the names `NABLA_BACKEND` accepts.
    package static let all: [any Backend.Type] = [CPUBackend.self, ReferenceBackend.self]

    /// The backend `NABLA_BACKEND` names, or the CPU backend when it is unset or empty.
    @usableFromInline package static let selected: any Backend.Type = named(environment: ProcessInfo.processInfo.environment["NABLA_BACKEND"])

    /// The backend a task chose with `with(_:_:)`; task-local, so tests that run at the same time
    /// each keep their own.
    @TaskLocal @usableFromInline static var scoped: (any Backend.Type)?

    /// The backend the kernels of this task run on. Every op reads it, so it costs one load until some
    /// task opens a `with(_:_:)` scope: a task-local read takes longer than a small op's kernel.
    @inlinable package static var current: any Backend.Type {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *), ScopeCount.open.load(ordering: .relaxed) == 0 {
            return selected
        }
        return scoped ?? selected
    }

    /// Runs `body` with `backend` as `current` for this task (and the child tasks it starts); other
    /// tasks and threads keep theirs.
    package static func with<R>(_ backend: any Backend.Type, _ body: () throws -> R) rethrows -> R {
        try counted { try $scoped.withValue(backend, operation: body) }
    }

    /// `with(_:_:)` for an asynchronous body.
    package static func with<R>(_ backend: any Backend.Type, isolation: isolated (any Actor)? = #isolation,
                                _ body: () async throws -> R) async rethrows -> R {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) { ScopeCount.open.add(1, ordering: .relaxed) }
        defer { if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) { ScopeCount.open.subtract(1, ordering: .relaxed) } }
        return try await $scoped.withValue(backend, operation: body, isolation: isolation)
    }

    /// Runs `body` with the count of open scopes raised by one. A task's own increment is visible to
    /// it (a relaxed atomic is coherent), so a task inside a scope always reads the task-local.
    private static func counted<R>(_ body: () throws -> R) rethrows -> R {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) { ScopeCount.open.add(1, ordering: .relaxed) }
        defer { if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) { ScopeCount.open.subtract(1, ordering: .relaxed) } }
        return try body()
    }

    /// The backend called `name`, or nil.
    package static func named(_ name: String) -> (any Backend.Type)? {
        all.first { $0.name == name.lowercased() }
    }

    /// The backend for a value of `NABLA_BACKEND`; an unknown name is a configuration error that stops the program.
    static func named(environment value: String?) -> any Backend.Type {
        guard let value, !value.isEmpty else { return CPUBackend.self }
        guard let backend = named(value) else {
            let names = all.map { $0.name }.joined(separator: ", ")
            preconditionFailure("NABLA_BACKEND=\(value) names no backend; use one of: \(names)")
        }
        return backend
    }
}

/// The number of `Backends.with` scopes open in the process, in any task.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
@usableFromInline enum ScopeCount {
    @usableFromInline static let open = Atomic<Int>(0)
}
