/// A configured indicator behind a uniform face, for code that picks indicators at run time (the
/// CLI, the indicators service, bots). Each call reaches the concrete, specialized kernel, so the
/// batch loop itself has no dynamic dispatch.
public protocol IndicatorEngine: Sendable {
    var lookback: Int { get }
    /// Values per bar.
    var width: Int { get }
    /// Feeds one bar; writes `width` values into `row` and returns true once warm.
    mutating func update(_ bar: PriceBar, into row: UnsafeMutableBufferPointer<Double>) -> Bool
    /// The batch form: one column per output, NaN during warm-up; on a fresh engine.
    mutating func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
    /// `update` over every bar of `input`, written as `run` writes them (state advanced).
    mutating func replay(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
}

extension IndicatorEngine where Self: StreamingIndicator {
    public var width: Int { Output.width }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar, into row: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard let output = update(bar) else { return false }
        for k in 0..<Output.width { row[k] = output[k] }
        return true
    }
}

// Each concrete indicator conforms itself, so the batch loop behind the existential is compiled for
// that type. (A generic wrapper such as `Engine<I>` would run unspecialized generic code per bar:
// measured 10–20× slower.)
extension SMA: IndicatorEngine {}
extension EMA: IndicatorEngine {}
extension WMA: IndicatorEngine {}
extension DEMA: IndicatorEngine {}
extension TEMA: IndicatorEngine {}
extension TRIMA: IndicatorEngine {}
extension KAMA: IndicatorEngine {}
extension T3: IndicatorEngine {}
extension MovingAverage: IndicatorEngine {}
extension MACD: IndicatorEngine {}
extension MACDExtended: IndicatorEngine {}
extension GainLossOscillator: IndicatorEngine {}
extension RateOfChange: IndicatorEngine {}
extension TRIX: IndicatorEngine {}
extension PriceOscillator: IndicatorEngine {}
extension Stochastic: IndicatorEngine {}
extension FastStochastic: IndicatorEngine {}
extension StochasticRSI: IndicatorEngine {}
extension WilliamsR: IndicatorEngine {}
extension CCI: IndicatorEngine {}
extension UltimateOscillator: IndicatorEngine {}
extension Aroon: IndicatorEngine {}
extension AroonOscillator: IndicatorEngine {}
extension BalanceOfPower: IndicatorEngine {}
extension MoneyFlowIndex: IndicatorEngine {}
extension BollingerBands: IndicatorEngine {}
extension StandardDeviation: IndicatorEngine {}
extension Variance: IndicatorEngine {}
extension TrueRange: IndicatorEngine {}
extension AverageTrueRange: IndicatorEngine {}
extension AverageDirectionalIndex: IndicatorEngine {}
extension AverageDirectionalIndexRating: IndicatorEngine {}
extension DirectionalIndex: IndicatorEngine {}
extension DirectionalIndicator: IndicatorEngine {}
extension DirectionalMovementSum: IndicatorEngine {}
extension ParabolicSAR: IndicatorEngine {}
extension MidPoint: IndicatorEngine {}
extension MidPrice: IndicatorEngine {}
extension LinearRegression: IndicatorEngine {}
extension OnBalanceVolume: IndicatorEngine {}
extension AccumulationDistribution: IndicatorEngine {}
extension ChaikinOscillator: IndicatorEngine {}
extension VWAP: IndicatorEngine {}
extension PivotPoints: IndicatorEngine {}
extension CamarillaPivotPoints: IndicatorEngine {}
