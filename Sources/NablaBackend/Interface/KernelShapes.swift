/// The sizes and layouts that `Backend` kernels take next to their raw buffers. Every buffer is
/// contiguous and row-major unless a layout says otherwise.

/// One operand of a broadcast binary op: its buffer and its strides over the output shape
/// (0 along the dimensions it is broadcast in).
package struct BroadcastOperand {
    package let pointer: UnsafePointer<Float>
    package let strides: [Int]

    package init(pointer: UnsafePointer<Float>, strides: [Int]) {
        self.pointer = pointer
        self.strides = strides
    }
}

/// A batched matrix product C[b] = op(A[b])·op(B[b]) over broadcast batch dimensions.
///
/// op(A) is m×k and op(B) is k×n; A is stored [m, k] ([k, m] when `transA`), B [k, n] ([n, k] when
/// `transB`). Batch entry b (a multi-index over `batch`) reads A at Σ b_d·aBatchStrides[d] and B at
/// Σ b_d·bBatchStrides[d] (strides in elements, 0 where broadcast); C is [batch…, m, n], contiguous.
package struct MatmulShape {
    package let batch: [Int]
    package let aBatchStrides: [Int], bBatchStrides: [Int]
    package let m: Int, n: Int, k: Int
    package let transA: Bool, transB: Bool
    /// Elements in one stored matrix of A, of B.
    package let aMatrix: Int, bMatrix: Int

    package init(batch: [Int], aBatchStrides: [Int], bBatchStrides: [Int], m: Int, n: Int, k: Int,
                 transA: Bool, transB: Bool, aMatrix: Int, bMatrix: Int) {
        self.batch = batch
        self.aBatchStrides = aBatchStrides
        self.bBatchStrides = bBatchStrides
        self.m = m
        self.n = n
        self.k = k
        self.transA = transA
        self.transB = transB
        self.aMatrix = aMatrix
        self.bMatrix = bMatrix
    }
}

/// A 2-D cross-correlation: x [batch, channels, height, width], weight [outChannels, channels, kh, kw],
/// y [batch, outChannels, outHeight, outWidth], with the kernel size, stride, padding and dilation in `window`.
package struct ConvShape {
    package let batch: Int, channels: Int, height: Int, width: Int
    package let outChannels: Int, outHeight: Int, outWidth: Int
    package let window: Window2d

    package var outPlane: Int { outHeight * outWidth }

    package init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, outHeight: Int, outWidth: Int,
                 window: Window2d) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.outHeight = outHeight
        self.outWidth = outWidth
        self.window = window
    }
}

/// Pooling over `planes` independent planes (N·C of an NCHW tensor) of height × width, giving
/// outHeight × outWidth each; padding is virtual (−∞ for max pooling, 0 for average pooling).
package struct PoolShape {
    package let planes: Int, height: Int, width: Int
    package let outHeight: Int, outWidth: Int
    package let window: Window2d

    package var inPlane: Int { height * width }
    package var outPlane: Int { outHeight * outWidth }

    package init(planes: Int, height: Int, width: Int, outHeight: Int, outWidth: Int, window: Window2d) {
        self.planes = planes
        self.height = height
        self.width = width
        self.outHeight = outHeight
        self.outWidth = outWidth
        self.window = window
    }
}

/// Batch normalization's view of a tensor as [batch, channels, spatial] (spatial = the product of the
/// sizes after the channel axis, 1 for [N, C]).
package struct ChannelLayout {
    package let batch: Int, channels: Int, spatial: Int

    /// Values per channel: the count that the mean and variance divide by.
    package var perChannel: Int { batch * spatial }

    package init(batch: Int, channels: Int, spatial: Int) {
        self.batch = batch
        self.channels = channels
        self.spatial = spatial
    }
}

/// The planes of one CHW image.
package struct ImagePlanes {
    package let channels: Int, height: Int, width: Int

    package var planeSize: Int { height * width }
    package var count: Int { channels * planeSize }

    package init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }
}

/// A rotation of an image about (centerX, centerY), as the map from an output pixel to the source
/// position it reads: `c + R(−θ)·((x, y) − c)` in image coordinates (y pointing down).
package struct ImageRotation {
    package let cosine: Double, sine: Double
    package let centerX: Double, centerY: Double

    package init(cosine: Double, sine: Double, centerX: Double, centerY: Double) {
        self.cosine = cosine
        self.sine = sine
        self.centerX = centerX
        self.centerY = centerY
    }

    /// The source position read by output pixel (x, y).
    @inline(__always) package func source(x: Int, y: Int) -> (x: Double, y: Double) {
        let dx = Double(x) - centerX, dy = Double(y) - centerY
        return (centerX + dx * cosine - dy * sine, centerY + dx * sine + dy * cosine)
    }
}
