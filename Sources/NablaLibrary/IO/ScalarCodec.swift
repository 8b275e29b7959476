import NablaCore
import NablaBackend

/// The element types that files store, with conversion to and from Float32.
/// Shared by the IDX, NPY and safetensors readers and writers.
package enum ScalarKind: Equatable, Sendable {
    case bool, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float16, bfloat16, float32, float64

    /// Bytes per element.
    var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        }
    }
}

/// Converts packed file data to Float32 and back.
package enum ScalarCodec {
    /// Decodes `bytes` (a whole number of elements) to Floats. Integers above 2^24 round to the nearest Float.
    static func decode(_ bytes: UnsafeRawBufferPointer, as kind: ScalarKind, bigEndian: Bool) -> [Float] {
        let count = bytes.count / kind.byteSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch kind {
            case .bool: decodeBool(bytes, into: out)
            case .uint8: decodeInteger(bytes, UInt8.self, bigEndian, into: out)
            case .int8: decodeInteger(bytes, Int8.self, bigEndian, into: out)
            case .uint16: decodeInteger(bytes, UInt16.self, bigEndian, into: out)
            case .int16: decodeInteger(bytes, Int16.self, bigEndian, into: out)
            case .uint32: decodeInteger(bytes, UInt32.self, bigEndian, into: out)
            case .int32: decodeInteger(bytes, Int32.self, bigEndian, into: out)
            case .uint64: decodeInteger(bytes, UInt64.self, bigEndian, into: out)
            case .int64: decodeInteger(bytes, Int64.self, bigEndian, into: out)
            case .float16: decodeHalf(bytes, bigEndian, into: out)
            case .bfloat16: decodeBrainFloat(bytes, bigEndian, into: out)
            case .float32: decodeFloat(bytes, bigEndian, into: out)
            case .float64: decodeDouble(bytes, bigEndian, into: out)
            }
            initialized = count
        }
    }

    /// Encodes `values` as `kind`; the caller has checked that integer kinds can hold every value.
    static func encode(_ values: UnsafeBufferPointer<Float>, as kind: ScalarKind, bigEndian: Bool) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * kind.byteSize)
        bytes.withUnsafeMutableBytes { out in
            for (index, value) in values.enumerated() {
                let offset = index * kind.byteSize
                switch kind {
                case .bool: out[offset] = value != 0 ? 1 : 0
                case .uint8: out[offset] = UInt8(value)
                case .int8: out[offset] = UInt8(bitPattern: Int8(value))
                case .uint16: store(UInt16(value), at: offset, bigEndian, out)
                case .int16: store(Int16(value), at: offset, bigEndian, out)
                case .uint32: store(UInt32(value), at: offset, bigEndian, out)
                case .int32: store(Int32(value), at: offset, bigEndian, out)
                case .uint64: store(UInt64(value), at: offset, bigEndian, out)
                case .int64: store(Int64(value), at: offset, bigEndian, out)
                case .float16: store(halfBits(value), at: offset, bigEndian, out)
                case .bfloat16: store(UInt16(value.bitPattern >> 16), at: offset, bigEndian, out)
                case .float32: store(value.bitPattern, at: offset, bigEndian, out)
                case .float64: store(Double(value).bitPattern, at: offset, bigEndian, out)
                }
            }
        }
        return bytes
    }

    /// Whether every value is an integer that `kind` represents exactly.
    static func fits(_ values: UnsafeBufferPointer<Float>, in kind: ScalarKind) -> Bool {
        let range: ClosedRange<Float>
        switch kind {
        case .float16, .bfloat16, .float32, .float64: return true
        case .bool: return values.allSatisfy { $0 == 0 || $0 == 1 }
        case .uint8: range = 0...255
        case .int8: range = -128...127
        case .uint16: range = 0...65_535
        case .int16: range = -32_768...32_767
        // Float(T.max) rounds up to a power of two that T cannot hold; the float below it fits.
        case .uint32: range = 0...Float(UInt32.max).nextDown
        case .int32: range = Float(Int32.min)...Float(Int32.max).nextDown
        case .uint64: range = 0...Float(UInt64.max).nextDown
        case .int64: range = Float(Int64.min)...Float(Int64.max).nextDown
        }
        return values.allSatisfy { range.contains($0) && $0.rounded() == $0 }
    }

    private static func store<T: FixedWidthInteger>(_ value: T, at offset: Int, _ bigEndian: Bool, _ out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: bigEndian ? value.bigEndian : value.littleEndian, toByteOffset: offset, as: T.self)
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ index: Int, _ type: T.Type, _ bigEndian: Bool) -> T {
        let raw = bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }

    private static func decodeBool(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = bytes[index] != 0 ? 1 : 0 }
    }

    private static func decodeInteger<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ type: T.Type, _ bigEndian: Bool,
                                                            into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = Float(load(bytes, index, T.self, bigEndian)) }
    }

    private static func decodeHalf(_ bytes: UnsafeRawBufferPointer, _ bigEndian: Bool, into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = halfToFloat(load(bytes, index, UInt16.self, bigEndian)) }
    }

    private static func decodeBrainFloat(_ bytes: UnsafeRawBufferPointer, _ bigEndian: Bool, into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = Float(bitPattern: UInt32(load(bytes, index, UInt16.self, bigEndian)) << 16) }
    }

    private static func decodeFloat(_ bytes: UnsafeRawBufferPointer, _ bigEndian: Bool, into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = Float(bitPattern: load(bytes, index, UInt32.self, bigEndian)) }
    }

    private static func decodeDouble(_ bytes: UnsafeRawBufferPointer, _ bigEndian: Bool, into out: UnsafeMutableBufferPointer<Float>) {
        for index in out.indices { out[index] = Float(Double(bitPattern: load(bytes, index, UInt64.self, bigEndian))) }
    }

    /// IEEE 754 binary16 to binary32, by hand because `Float16` is missing on some platforms.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0: return sign * Float(mantissa) * 0x1p-24
        case 31: return Float(bitPattern: UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | mantissa << 13)
        default: return Float(bitPattern: UInt32(bits & 0x8000) << 16 | UInt32(exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// Binary32 to binary16 with round-to-nearest-even; overflow becomes infinity.
    static func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(bits >> 16) & 0x8000
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = abs(value)
        if magnitude >= 65_520 { return sign | 0x7C00 }
        if magnitude < 0x1p-14 { return sign | UInt16((magnitude * 0x1p24).rounded(.toNearestOrEven)) }
        let exponent = Int((bits >> 23) & 0xFF) - 112
        let mantissa = bits & 0x7F_FFFF
        var half = UInt32(exponent) << 10 | mantissa >> 13
        let rest = mantissa & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
}
