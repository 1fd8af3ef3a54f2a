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
///
/// The same steps as the lane-wise form below, for one bar (the same bits for every input, signed
/// zeros included); the one-bar form is not lane 0 of a two-lane vector because that measured 15 %
/// slower in ATR's loop.
@inlinable @inline(__always)
func trueRange(high: Double, low: Double, previousClose: Double) -> Double {
    var range = high - low
    let fromHigh = high - previousClose
    let up = fromHigh < 0 ? -fromHigh : fromHigh
    if up > range { range = up }
    let fromLow = low - previousClose
    let down = fromLow < 0 ? -fromLow : fromLow
    if down > range { range = down }
    return range
}

/// The true range on lanes side by side (TRANGE's batch kernel runs four bars at a time).
@inlinable @inline(__always)
func trueRange<Lanes: SIMD>(high: Lanes, low: Lanes, previousClose: Lanes) -> Lanes where Lanes.Scalar == Double {
    var range = high - low
    let up = distance(high, previousClose)
    range.replace(with: up, where: up .> range)
    let down = distance(low, previousClose)
    range.replace(with: down, where: down .> range)
    return range
}

/// |a − b| lane by lane.
@inlinable @inline(__always)
func distance<Lanes: SIMD>(_ a: Lanes, _ b: Lanes) -> Lanes where Lanes.Scalar == Double {
    let difference = a - b
    return difference.replacing(with: -difference, where: difference .< 0)
}
