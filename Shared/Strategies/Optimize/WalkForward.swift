import Foundation
import Indicators
import TradingCore

/// Walk-forward analysis: optimise on a training window, test the winner on the bars after it,
/// step on by the test length, and judge the strategy by the stitched out-of-sample equity only.
public struct WalkForward: Sendable {
    public var train: Int
    public var test: Int
    /// Anchored: every training window starts at the first bar (growing); rolling: it slides.
    public var anchored: Bool

    public init(train: Int, test: Int, anchored: Bool = false) {
        self.train = train
        self.test = test
        self.anchored = anchored
    }

    /// One window: where it trained and tested, what won and how it did out of sample.
    public struct Window: Sendable {
        public var trainBars: Range<Int>
        public var testBars: Range<Int>
        public var parameters: [String: Double]
        public var inSampleScore: Double
        public var outOfSample: BacktestMetrics
    }

    public struct Outcome: Sendable {
        public var windows: [Window]
        /// The out-of-sample equity, each window's returns chained from the initial cash.
        public var equity: [Double]
        public var metrics: BacktestMetrics
        /// Parameter sets tried over every window.
        public var trials: Int
        /// The deflated Sharpe ratio of the stitched out-of-sample returns given `trials`.
        public var deflatedSharpe: Double
    }

    public func run(_ optimizer: Optimizer, sets: [[String: Double]], over series: BarSeries) throws(StrategyError) -> Outcome {
        guard train >= 2, test >= 1, train + test <= series.count else {
            throw StrategyError(
                .invalidValue, "walk-forward needs train ≥ 2 and test ≥ 1 bars, together at most the \(series.count) bars of the data (train=\(train), test=\(test))")
        }
        var windows: [Window] = []
        var stitched: [Double] = [optimizer.settings.initialCash.doubleValue]
        var trades: [BacktestTrade] = []
        var sharpes: [Double] = []
        var barsInMarket = 0
        var start = 0
        let indexed = sets.enumerated().map { (index: $0.offset, parameters: $0.element) }
        while start + train + test <= series.count {
            let trainStart = anchored ? 0 : start
            let trainRange = trainStart..<(start + train)
            let testRange = (start + train)..<(start + train + test)
            let ranked = try optimizer.run(indexed, over: series.slice(trainRange))
            sharpes += ranked.map(\.returnMoments.sharpe)
            guard let best = ranked.first else { break }
            // The test window runs with its training bars as history and trades only inside it.
            var settings = optimizer.settings
            settings.firstTradingBar = trainRange.count
            let plan = try StrategyCompiler.compile(optimizer.document, parameters: best.parameters, context: optimizer.context)
            let r = try Backtester(plan: plan, settings: settings).run(series.slice(trainRange.lowerBound..<testRange.upperBound))
            let tail = Array(r.equity[(trainRange.count - 1)...])
            for k in 1..<tail.count { stitched.append(stitched.last! * (tail[k - 1] > 0 ? tail[k] / tail[k - 1] : 1)) }
            trades += r.trades.filter { $0.entryBar >= trainRange.count }
            barsInMarket += r.barsInMarket
            windows.append(Window(trainBars: trainRange, testBars: testRange, parameters: best.parameters, inSampleScore: best.score, outOfSample: r.metrics))
            start += test
        }
        let first = windows.first!.testBars.lowerBound, last = windows.last!.testBars.upperBound - 1
        let metrics = BacktestMetrics(
            equity: stitched[...], trades: trades, initialCash: optimizer.settings.initialCash.doubleValue, finalEquity: stitched.last!,
            barsInMarket: min(barsInMarket, stitched.count), firstClose: series.prices.close[first - 1], lastClose: series.prices.close[last],
            periodsPerYear: optimizer.settings.calendar.periodsPerYear(barNanoseconds: series.barNanoseconds), openTrade: false)
        let dsr = DeflatedSharpe.probability(best: ReturnMoments(equity: stitched), trialSharpes: sharpes)
        return Outcome(windows: windows, equity: stitched, metrics: metrics, trials: sharpes.count, deflatedSharpe: dsr)
    }
}

extension WalkForward.Outcome {
    /// The report as JSON: each window's bars (first and last, inclusive), chosen parameters and
    /// scores, the stitched out-of-sample metrics, the number of trials and the deflated Sharpe
    /// ratio (null when undefined). What `tradewind optimize --walk-forward` prints and a job stores.
    public func reportJSON() throws(StrategyError) -> String {
        struct Window: Encodable {
            var trainFirstBar: Int, trainLastBar: Int, testFirstBar: Int, testLastBar: Int
            var parameters: [String: Double], inSampleScore: Double, outOfSample: BacktestMetrics
        }
        struct Report: Encodable {
            var windows: [Window], outOfSample: BacktestMetrics, trials: Int, deflatedSharpe: Double?
        }
        let report = Report(
            windows: windows.map {
                Window(
                    trainFirstBar: $0.trainBars.lowerBound, trainLastBar: $0.trainBars.upperBound - 1, testFirstBar: $0.testBars.lowerBound,
                    testLastBar: $0.testBars.upperBound - 1, parameters: $0.parameters, inSampleScore: $0.inSampleScore, outOfSample: $0.outOfSample)
            }, outOfSample: metrics, trials: trials, deflatedSharpe: deflatedSharpe.isFinite ? deflatedSharpe : nil)
        do {
            return String(decoding: try OptimizationReport.encoder.encode(report), as: UTF8.self)
        } catch {
            throw StrategyError(.invalidValue, "the walk-forward report could not be written: \(error)")
        }
    }
}
