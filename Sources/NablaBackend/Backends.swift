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
    @usableFromInline package static let selected: any Backend.Type =
        named(environment: ProcessInfo.processInfo.environment["NABLA_BACKEND"])

    /// The backend a task chose with `with(_:_:)`; task-local, so tests that run at the same time
    /// each keep their own.
    @TaskLocal @usableFromInline static var scoped: (any Backend.Type)?

    /// The backend the kernels of this task run on. Every op reads it, so it costs one load until some
    /// task opens a `with(_:_:)` scope: a task-local read takes longer than a small op's kernel.
    @inlinable package static var current: any Backend.Type {
        OpenScopes.none ? selected : scoped ?? selected
    }

    /// Runs `body` with `backend` as `current` for this task (and the child tasks it starts); other
    /// tasks and threads keep theirs.
    package static func with<R>(_ backend: any Backend.Type, _ body: () throws -> R) rethrows -> R {
        OpenScopes.add(1)
        defer { OpenScopes.add(-1) }
        return try $scoped.withValue(backend, operation: body)
    }

    /// `with(_:_:)` for an asynchronous body.
    package static func with<R>(_ backend: any Backend.Type, isolation: isolated (any Actor)? = #isolation,
                                _ body: () async throws -> R) async rethrows -> R {
        OpenScopes.add(1)
        defer { OpenScopes.add(-1) }
        return try await $scoped.withValue(backend, operation: body, isolation: isolation)
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

/// The number of `Backends.with` scopes open in the process, in any task. A task's own increment is
/// visible to it (a relaxed atomic is coherent), so a task inside a scope always reads its task-local;
/// the others may too, which only costs time.
@usableFromInline enum OpenScopes {
    /// Whether no scope is open, so that every task runs on `Backends.selected`.
    @inlinable static var none: Bool {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) else { return false }
        return Count.value.load(ordering: .relaxed) == 0
    }

    static func add(_ delta: Int) {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) else { return }
        Count.value.add(delta, ordering: .relaxed)
    }

    /// Synchronization's atomics need these OS versions; before them every read goes to the task-local.
    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
    @usableFromInline enum Count {
        @usableFromInline static let value = Atomic<Int>(0)
    }
}
