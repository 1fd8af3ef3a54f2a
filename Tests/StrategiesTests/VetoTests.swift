import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// Veto agents: a confident veto blocks new entries against it, never an exit, and the
/// explanation says who vetoed.
@Suite struct VetoTests {
    /// The trend agent decides; the volatility agent (weighed 0) vetoes whenever ATR exceeds
    /// `maxATR` of the price.
    static func document(maxATR: Double) -> String {
        """
        {"version": 1, "name": "vetoed trend",
         "signals": {"score": {"consensus": {"trend": 1}, "agent_params": {"max_atr_pct": \(maxATR)}, "veto": {"volatility": 0.9}}},
         "rules": {"entry_long": [{"left": "score", "op": ">=", "right": 0.2}], "exit_long": [{"left": "score", "op": "<=", "right": -0.2}],
                   "entry_short": [{"left": "score", "op": "<=", "right": -0.2}], "exit_short": [{"left": "score", "op": ">=", "right": 0.2}]},
         "sizing": {"model": "percent_equity", "percent": 10}, "execution": {"fill": "close"}}
        """
    }

    @Test func aConfidentVetoBlocksEntriesAndTheExplanationSaysSo() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 800, seed: 21)
        let free = try StrategyCompiler.compile(try StrategyDocument(json: Self.document(maxATR: 1)))
        let vetoed = try StrategyCompiler.compile(try StrategyDocument(json: Self.document(maxATR: 0.001)))
        let settings = BacktestSettings(initialCash: try FixedDecimal(100_000))
        #expect(try Backtester(plan: free, settings: settings).run(series).trades.count > 5)
        #expect(try Backtester(plan: vetoed, settings: settings).run(series).trades.isEmpty)
        var live = LiveStrategy(plan: vetoed)
        var said = 0
        for i in 0..<series.count {
            let decision = live.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0)
            #expect(decision.entry == nil)
            let vote = try #require(live.consensusVotes().first)
            #expect(vote.opinions.map(\.member.agent) == [.trend, .volatility])
            #expect(vote.opinions[1].member.weight == 0 && vote.opinions[1].member.veto == 0.9)
            if let veto = vote.vetoes.first {
                #expect(veto.agent == .volatility && veto.blocksLong && veto.blocksShort && veto.score != 0 && vote.score == 0)
                said += 1
            }
        }
        #expect(said > 500)
    }

    @Test func aVetoNeverBlocksAnExit() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 800, seed: 21)
        var live = LiveStrategy(plan: try StrategyCompiler.compile(try StrategyDocument(json: Self.document(maxATR: 0.001))))
        let long = PositionView(quantity: 1, barsInTrade: 1, entryPrice: 100, entries: 1)
        var exits = 0
        for i in 0..<series.count {
            let decision = live.next(series.prices[i], timeNs: series.timesNs[i], position: long, entries: 1)
            #expect(decision.entry != .buy)  // no adding to the long
            if decision.exit != nil { exits += 1 }
        }
        #expect(exits > 50)
    }

    @Test func vetoConfidencesAreChecked() {
        let bad = Self.document(maxATR: 0.05).replacingOccurrences(of: #""volatility": 0.9"#, with: #""volatility": 1.5"#)
        let error = #expect(throws: StrategyError.self) { try StrategyCompiler.compile(try StrategyDocument(json: bad)) }
        #expect(error?.message.contains("a veto's confidence is above 0 and at most 1") == true)
        let unknown = Self.document(maxATR: 0.05).replacingOccurrences(of: #""veto": {"volatility""#, with: #""veto": {"volatilty""#)
        let named = #expect(throws: StrategyError.self) { try StrategyCompiler.compile(try StrategyDocument(json: unknown)) }
        #expect(named?.message.contains("unknown agent \"volatilty\"") == true && named?.message.contains("volatility") == true)
    }
}
