/// TA-Lib's notion of zero (TA_EPSILON, 1e-14 in the TA-Lib release the golden files come from):
/// the reference implementation treats |v| < ε as zero before dividing, and matching it is what
/// makes flat series (constant prices, no volume, long decays) give the same values.
@usableFromInline let taLibEpsilon = 0.00000000000001

@inlinable @inline(__always)
func isTALibZero(_ value: Double) -> Bool { -taLibEpsilon < value && value < taLibEpsilon }

/// TA-Lib's "zero or negative" test, used before square roots and divisions by a range.
@inlinable @inline(__always)
func isTALibZeroOrNegative(_ value: Double) -> Bool { value < taLibEpsilon }

/// TA-Lib's scale-aware zero test for a difference of comparable numbers: |v| ≤ ε · scale, scale
/// being |a| + |b|. A window flat to 15 significant digits counts as flat.
@inlinable @inline(__always)
func isTALibZero(_ difference: Double, scale: Double) -> Bool { abs(difference) <= taLibEpsilon * scale }

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
