import Foundation
import NablaKernelsC
import Synchronization

/// Which compiled variant of the CPU backend's C fast paths runs: the fastest one the CPU supports, chosen
/// once at start-up, or the one the environment variable `NABLA_SIMD` names (`baseline`, `avx2`, `avx512`).
/// `baseline` runs the portable Swift kernels, which define every op; the variants are checked against them.
///
/// ```swift
/// print(SIMDVariant.selected)        // avx512 on a CPU with AVX-512
/// // NABLA_SIMD=baseline nabla train …  runs the portable Swift path
/// ```
public enum SIMDVariant: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The portable Swift kernels, for every CPU.
    case baseline
    /// C kernels for AVX2 with FMA, eight lanes.
    case avx2
    /// C kernels for AVX-512 (F, VL, BW, DQ), sixteen lanes.
    case avx512

    public var description: String { rawValue }

    /// What the variant needs, for messages and `nabla info`.
    public var requirement: String {
        switch self {
        case .baseline: "any CPU"
        case .avx2: "AVX2 and FMA"
        case .avx512: "AVX-512 F, VL, BW and DQ"
        }
    }

    /// Whether this CPU can run the variant.
    public var isSupported: Bool {
        switch self {
        case .baseline: true
        case .avx2: nabla_simd_cpu_supports(1) != 0
        case .avx512: nabla_simd_cpu_supports(2) != 0
        }
    }

    /// The variants this CPU runs, slowest first.
    public static let supported: [SIMDVariant] = allCases.filter(\.isSupported)

    /// The variant this process runs: `chosenAtStartUp`, or the slower one that `lower(to:)` settled on
    /// (all ranks of a distributed job agree on one, see `ProcessGroup`).
    public static var selected: SIMDVariant {
        let agreed = Agreed.index.load(ordering: .relaxed)
        return agreed < 0 ? chosenAtStartUp : allCases[agreed]
    }

    /// The variant `NABLA_SIMD` names, or the fastest supported one when it is unset or empty; an unknown
    /// name or a variant the CPU lacks stops the program with one line (the command line checks first).
    public static let chosenAtStartUp: SIMDVariant = {
        do {
            return try resolve(environment: ProcessInfo.processInfo.environment["NABLA_SIMD"])
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    /// Makes `variant` the process's `selected` variant when it is slower than the current one, so that
    /// processes that must compute the same bits (the ranks of one job, on CPUs that may differ) all run
    /// the slowest variant any of them chose. A faster variant leaves the selection as it is.
    public static func lower(to variant: SIMDVariant) {
        guard let index = allCases.firstIndex(of: variant) else { return }
        var current = Agreed.index.load(ordering: .relaxed)
        while true {
            let selectedIndex = current < 0 ? allCases.firstIndex(of: chosenAtStartUp)! : current
            guard index < selectedIndex else { return }
            let (exchanged, original) = Agreed.index.compareExchange(expected: current, desired: index, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The index in `allCases` that `lower(to:)` settled on, or -1.
    private enum Agreed {
        static let index = Atomic<Int>(-1)
    }

    /// Whether `NABLA_SIMD` chose the variant.
    public static var isForced: Bool { !(ProcessInfo.processInfo.environment["NABLA_SIMD"] ?? "").isEmpty }

    /// The variant a value of `NABLA_SIMD` asks for; throws a one-line `SIMDVariantError` for an unknown
    /// name or a variant this CPU cannot run.
    ///
    /// ```swift
    /// try SIMDVariant.resolve(environment: nil)         // the fastest supported
    /// try SIMDVariant.resolve(environment: "baseline")  // .baseline
    /// ```
    public static func resolve(environment value: String?) throws -> SIMDVariant {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return supported.last! }
        guard let variant = SIMDVariant(rawValue: value.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw SIMDVariantError(value: value, reason: "expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard variant.isSupported else {
            let names = supported.map(\.rawValue).joined(separator: ", ")
            throw SIMDVariantError(value: value, reason: "this CPU lacks \(variant.requirement); it runs \(names)")
        }
        return variant
    }
}

/// A value of `NABLA_SIMD` that names no variant, or one the CPU cannot run.
public struct SIMDVariantError: Error, CustomStringConvertible {
    public let value: String
    public let reason: String
    public var description: String { "NABLA_SIMD=\(value): \(reason)" }
}

extension SIMDVariant {
    /// The variant a task chose with `with(_:_:)`.
    @TaskLocal static var scoped: SIMDVariant?

    /// The variant the kernels of this task run: one load until some task opens a `with(_:_:)` scope.
    /// Kernels read it on the calling thread, before splitting work among threads.
    package static var current: SIMDVariant {
        SIMDScopes.none ? selected : scoped ?? selected
    }

    /// Runs `body` with `variant` as `current` for this task, as the differential test does for every
    /// supported variant; other tasks keep theirs.
    package static func with<R>(_ variant: SIMDVariant, _ body: () throws -> R) rethrows -> R {
        precondition(variant.isSupported, "SIMDVariant.with: this CPU lacks \(variant.requirement)")
        SIMDScopes.add(1)
        defer { SIMDScopes.add(-1) }
        return try $scoped.withValue(variant, operation: body)
    }
}

/// The number of `SIMDVariant.with` scopes open in the process, as `OpenScopes` counts backend scopes.
enum SIMDScopes {
    static var none: Bool {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) else { return false }
        return Count.value.load(ordering: .relaxed) == 0
    }

    static func add(_ delta: Int) {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) else { return }
        Count.value.add(delta, ordering: .relaxed)
    }

    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
    enum Count {
        static let value = Atomic<Int>(0)
    }
}
