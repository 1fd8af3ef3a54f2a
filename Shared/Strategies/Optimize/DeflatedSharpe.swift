import Foundation

/// The first four moments of an equity curve's per-bar returns.
public struct ReturnMoments: Sendable, Hashable, Codable {
    public var count: Int
    public var mean: Double
    public var deviation: Double
    public var skewness: Double
    /// Kurtosis (3 for a normal distribution, not the excess).
    public var kurtosis: Double

    public init(count: Int, mean: Double, deviation: Double, skewness: Double, kurtosis: Double) {
        self.count = count
        self.mean = mean
        self.deviation = deviation
        self.skewness = skewness
        self.kurtosis = kurtosis
    }

    public init(equity: [Double]) {
        var r: [Double] = []
        r.reserveCapacity(equity.count)
        for i in 1..<max(1, equity.count) where equity[i - 1] > 0 { r.append(equity[i] / equity[i - 1] - 1) }
        let n = Double(r.count)
        let mean = n > 0 ? r.reduce(0, +) / n : 0
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for x in r {
            let d = x - mean
            m2 += d * d
            m3 += d * d * d
            m4 += d * d * d * d
        }
        let variance = n > 0 ? m2 / n : 0
        count = r.count
        self.mean = mean
        deviation = n > 1 ? (m2 / (n - 1)).squareRoot() : 0
        skewness = variance > 0 ? (m3 / n) / pow(variance, 1.5) : 0
        kurtosis = variance > 0 ? (m4 / n) / (variance * variance) : 3
    }

    /// Sharpe ratio per bar (not annualised).
    public var sharpe: Double { deviation > 0 ? mean / deviation : 0 }
}

/// The deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio", 2014): the
/// probability that the best of `trials` strategies has a true Sharpe above zero, after allowing
/// for how many were tried and for non-normal returns. Near 1: unlikely to be luck; near 0.5 or
/// below: what the search would find by chance.
public enum DeflatedSharpe {
    /// `best`: the chosen set's moments; `trialSharpes`: every trial's per-bar Sharpe.
    public static func probability(best: ReturnMoments, trialSharpes: [Double]) -> Double {
        let n = Double(max(1, trialSharpes.count))
        let mean = trialSharpes.reduce(0, +) / n
        let variance = trialSharpes.count > 1 ? trialSharpes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        let gamma = 0.5772156649015329
        // Expected maximum Sharpe among n unskilled trials.
        let expectedMax = n > 1 ? variance.squareRoot() * ((1 - gamma) * inverseNormal(1 - 1 / n) + gamma * inverseNormal(1 - 1 / (n * M_E))) : 0
        let sr = best.sharpe
        let t = Double(best.count)
        let denominator = 1 - best.skewness * sr + (best.kurtosis - 1) / 4 * sr * sr
        guard t > 1, denominator > 0 else { return .nan }
        return normal((sr - expectedMax) * (t - 1).squareRoot() / denominator.squareRoot())
    }

    /// The standard normal distribution function.
    static func normal(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Its inverse (Acklam's rational approximation, refined by one Newton step; |error| < 1e-12).
    static func inverseNormal(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = normal(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }
}
