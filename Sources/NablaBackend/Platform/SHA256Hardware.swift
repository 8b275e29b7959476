import NablaKernelsC

/// The SHA-256 compression function on the CPU's SHA extensions (x86-64), which NablaLibrary's `SHA256`
/// runs in place of its Swift loop when `isAvailable`. The digest is the same either way; only the speed
/// differs (about 1.5 GB/s against 0.35 GB/s on the development machine, an AMD EPYC with the extensions).
package enum SHA256Hardware {
    /// Whether the CPU has the SHA extensions, checked once.
    static let cpuSupports = nabla_sha256_hardware_supported() != 0

    /// Whether `compress` may run: the CPU has the extensions and `SIMDVariant.current` is not `baseline`,
    /// which forces every portable path.
    package static var isAvailable: Bool { cpuSupports && SIMDVariant.current != .baseline }

    /// Updates the eight words of `state` over `count` consecutive 64-byte blocks at `blocks`.
    package static func compress(_ state: UnsafeMutablePointer<UInt32>, _ blocks: UnsafeRawPointer, count: Int) {
        #if arch(x86_64)
        nabla_sha256_blocks_hardware(state, blocks.assumingMemoryBound(to: UInt8.self), count)
        #else
        preconditionFailure("SHA256Hardware.compress: no SHA extensions on this architecture")
        #endif
    }
}
