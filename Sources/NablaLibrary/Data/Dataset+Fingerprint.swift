import NablaCore
import NablaBackend

extension Dataset {
    /// Adds every sample, in order, to `hash`: the count, then each batch's shapes and Float32 bytes.
    /// Two datasets hash alike only if they hold the same samples in the same order.
    ///
    /// ```swift
    /// var hash = SHA256()
    /// dataset.fingerprint(into: &hash)
    /// let fingerprint = hash.hexDigest()
    /// ```
    public func fingerprint(into hash: inout SHA256) {
        hash.update(Self.bytes(of: [count]))
        var start = 0
        while start < count {
            let end = Swift.min(start + 4096, count)
            let (inputs, targets) = batch(start..<end)
            for tensor in [inputs, targets] {
                hash.update(Self.bytes(of: tensor.shape))
                tensor.withUnsafeBufferPointer { hash.update(UnsafeRawBufferPointer($0)) }
            }
            start = end
        }
    }

    private static func bytes(of numbers: [Int]) -> [UInt8] {
        numbers.flatMap { number in (0..<8).map { UInt8(truncatingIfNeeded: Int64(number) >> ($0 * 8)) } }
    }
}
