/// The unpacked path of `BuiltinGEMM`, for thin or tiny products where packing costs more
/// than it saves.
package enum DirectKernel {
    /// Dot products of op(A) rows with op(B) columns, both contiguous in memory.
    case dots
    /// Updates of each C row by multiples of op(B) rows, which are contiguous in memory.
    case rowUpdates
}

extension GEMMProblem {
    /// The unpacked kernel for a product, or nil when the packed kernel is the better choice.
    func directKernel(m: Int, n: Int) -> DirectKernel? {
        let dotsFit = a.colStride == 1 && b.rowStride == 1
        let rowUpdatesFit = b.colStride == 1
        let thin = m < BuiltinGEMM.mr || n < BuiltinGEMM.nr
        if thin && dotsFit && (n < BuiltinGEMM.nr || !rowUpdatesFit) { return .dots }
        if (thin || m * n * k <= BuiltinGEMM.directLimit) && rowUpdatesFit { return .rowUpdates }
        return nil
    }

    /// Computes the block `C[rows, cols]` with an unpacked kernel.
    func solveDirect(_ kernel: DirectKernel, rows: Range<Int>, cols: Range<Int>) {
        let columns = b.advanced(row: 0, col: cols.lowerBound)
        for i in rows {
            let row = c + i * ldc + cols.lowerBound
            let aRow = a.advanced(row: i, col: 0)
            switch kernel {
            case .rowUpdates:
                updateRow(row, count: cols.count, from: aRow, times: columns)
            case .dots:
                for j in 0..<cols.count {
                    let sum = alpha * dot(aRow.base, columns.base + j * columns.colStride)
                    row[j] = beta == 0 ? sum : beta * row[j] + sum
                }
            }
        }
    }

    /// Σ_p x[p] · y[p] over the depth k, for contiguous x and y.
    private func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        let left = UnsafeRawPointer(x), right = UnsafeRawPointer(y)
        var sum0 = SIMD8<Float>(), sum1 = SIMD8<Float>()
        var p = 0
        while p + 16 <= k {
            let offset = p * 4
            sum0 = left.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + sum0
            sum1 = left.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                * right.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self) + sum1
            p += 16
        }
        var sum = (sum0 + sum1).sum()
        while p < k {
            sum += x[p] * y[p]
            p += 1
        }
        return sum
    }

    /// `row = beta * row + Σ_p (alpha · x[p]) · B[p, :]`, where B's rows are contiguous.
    private func updateRow(
        _ row: UnsafeMutablePointer<Float>, count n: Int, from x: StridedMatrix, times b: StridedMatrix
    ) {
        BuiltinGEMM.scaleRow(row, count: n, by: beta)
        var p = 0
        // Four rows of B per pass: one load and store of C for every four multiply-adds.
        while p + 4 <= k {
            let scales = SIMD4<Float>(
                x.base[p * x.colStride], x.base[(p + 1) * x.colStride],
                x.base[(p + 2) * x.colStride], x.base[(p + 3) * x.colStride]) * alpha
            addRows(of: b.base + p * b.rowStride, stride: b.rowStride, scaledBy: scales, into: row, count: n)
            p += 4
        }
        while p < k {
            let scale = alpha * x.base[p * x.colStride], source = b.base + p * b.rowStride
            for j in 0..<n { row[j] += scale * source[j] }
            p += 1
        }
    }

    /// `row += Σ_r scales[r] · rows[r * stride ..< r * stride + n]` for r in 0..<4.
    @inline(__always)
    private func addRows(
        of rows: UnsafePointer<Float>, stride: Int, scaledBy scales: SIMD4<Float>,
        into row: UnsafeMutablePointer<Float>, count n: Int
    ) {
        let s0 = SIMD8(repeating: scales[0]), s1 = SIMD8(repeating: scales[1])
        let s2 = SIMD8(repeating: scales[2]), s3 = SIMD8(repeating: scales[3])
        let r0 = UnsafeRawPointer(rows), r1 = UnsafeRawPointer(rows + stride)
        let r2 = UnsafeRawPointer(rows + 2 * stride), r3 = UnsafeRawPointer(rows + 3 * stride)
        let target = UnsafeMutableRawPointer(row)
        var j = 0
        while j + 8 <= n {
            let offset = j * 4
            var sum = target.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            sum = r0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * s0 + sum
            sum = r1.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * s1 + sum
            sum = r2.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * s2 + sum
            sum = r3.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * s3 + sum
            target.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
            j += 8
        }
        while j < n {
            row[j] += scales[0] * rows[j] + scales[1] * rows[j + stride]
                + scales[2] * rows[j + 2 * stride] + scales[3] * rows[j + 3 * stride]
            j += 1
        }
    }
}
