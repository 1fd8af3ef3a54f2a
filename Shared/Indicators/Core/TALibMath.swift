/// TA-Lib's notion of zero: the reference implementation treats |v| < 1e-8 as zero before dividing,
/// and matching it is what makes flat series (constant prices, no volume) give the same values.
@inlinable @inline(__always)
func isTALibZero(_ value: Double) -> Bool { -0.00000001 < value && value < 0.00000001 }

/// TA-Lib's "zero or negative" test, used before square roots.
@inlinable @inline(__always)
func isTALibZeroOrNegative(_ value: Double) -> Bool { value < 0.00000001 }

/// TA-Lib's true range: the greatest of today's range and the distances from yesterday's close.
@inlinable @inline(__always)
func trueRange(high: Double, low: Double, previousClose: Double) -> Double {
    var range = high - low
    let up = abs(high - previousClose)
    if up > range { range = up }
    let down = abs(low - previousClose)
    if down > range { range = down }
    return range
}
