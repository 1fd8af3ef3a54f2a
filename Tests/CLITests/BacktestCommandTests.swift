import Foundation
import Testing

/// `tradewind backtest` and `tradewind optimize` on the GOOG fixture, as a user runs them.
@Suite("tradewind backtest and optimize")
struct BacktestCommandTests {
    static let goog = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../StrategiesTests/Fixtures/GOOG.csv").standardized.path

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    @Test("the SMA-cross template on GOOG prints the reference's figures and writes trades and equity")
    func backtest() throws {
        let trades = Self.temporary("trades.csv"), equity = Self.temporary("equity.csv")
        let run = try IndicatorsCommandTests.run([
            "backtest", "--data", Self.goog, "--template", "sma_cross", "--param", "fast=10", "--trades", trades, "--equity", equity,
        ])
        #expect(run.status == 0, "\(run.error)")
        let figures = try Self.json(run.output)
        #expect(figures["final_equity"] as? String == "726923.96")
        #expect(figures["trades"] as? Int == 46)
        #expect(figures["open_trade"] as? Bool == true)
        #expect(abs((figures["max_drawdown_pct"] as? Double ?? 0) + 22.88861133037615) < 1e-9)
        let lines = try String(contentsOfFile: trades, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 48)
        #expect(lines[1] == "2004-12-03T00:00:00Z,74,180.4,2004-12-17T00:00:00Z,84,180.08,long,554,-177.28,0,signal")
        #expect(try String(contentsOfFile: equity, encoding: .utf8).split(separator: "\n").count == 2149)
    }

    @Test("bad input exits with code 2 and names the line, the parameter or the pointer")
    func badInput() throws {
        let text = try String(contentsOfFile: Self.goog, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        lines.swapAt(10, 11)
        let unsorted = Self.temporary("unsorted.csv")
        try lines.joined(separator: "\n").write(toFile: unsorted, atomically: true, encoding: .utf8)
        let order = try IndicatorsCommandTests.run(["backtest", "--data", unsorted, "--template", "sma_cross"])
        #expect(order.status == 2)
        #expect(order.error.contains("line 12"))
        let param = try IndicatorsCommandTests.run(["backtest", "--data", Self.goog, "--template", "sma_cross", "--param", "fats=3"])
        #expect(param.status == 2)
        #expect(param.error.contains("did you mean \"fast\"?"))
        let strategy = Self.temporary("s.json")
        try #"{"version": 1, "rules": {"entry_long": [{"left": {"indicator": "rsx"}, "op": "<", "right": 30}]}}"#
            .write(toFile: strategy, atomically: true, encoding: .utf8)
        let unknown = try IndicatorsCommandTests.run(["backtest", "--data", Self.goog, "--strategy", strategy])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("/rules/entry_long/0/left/indicator"))
    }

    @Test("pine compile prints the document or the error at its line and column; backtest --pine runs it with its initial capital")
    func pine() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../StrategiesTests/Fixtures/pine/golden_sma_cross.pine").standardized.path
        let compiled = try IndicatorsCommandTests.run(["pine", "compile", golden])
        #expect(compiled.status == 0, "\(compiled.error)")
        let document = try Self.json(compiled.output)
        #expect(document["version"] as? Int == 1 && (document["rules"] as? [String: Any])?["entry_long"] != nil)
        let broken = Self.temporary("broken.pine")
        try "//@version=6\nstrategy(\"b\")\nx = ta.smma(close, 3)\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try IndicatorsCommandTests.run(["pine", "compile", broken])
        #expect(refused.status == 2)
        #expect(refused.error.contains("broken.pine:3:5: pine.unknown_name: ta.smma is not a Pine function; did you mean ta.sma or ta.rma?"), "\(refused.error)")
        let run = try IndicatorsCommandTests.run(["backtest", "--data", Self.goog, "--pine", golden])
        #expect(run.status == 0, "\(run.error)")
        let figures = try Self.json(run.output)
        #expect(figures["trades"] as? Int == 46)
        // Ten shares a trade on a million: the script's initial capital, not the default 100,000.
        #expect((Double(figures["final_equity"] as? String ?? "") ?? 0) > 1_000_000)
    }

    @Test("two shards merged rank the same sets as the whole search")
    func shardsMerge() throws {
        let base = ["optimize", "--data", Self.goog, "--template", "sma_cross", "--param", "fast=5:15:5", "--param", "slow=20:40:10"]
        let whole = try Self.json(try IndicatorsCommandTests.run(base).output)
        var paths: [String] = []
        for i in 0..<2 {
            let path = Self.temporary("shard\(i).json")
            try IndicatorsCommandTests.run(base + ["--shard", "\(i)/2"]).output.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let merged = try Self.json(try IndicatorsCommandTests.run(["optimize", "merge"] + paths).output)
        func order(_ report: [String: Any]) -> [Int] { (report["results"] as! [[String: Any]]).map { $0["index"] as! Int } }
        #expect(order(whole).count == 9)
        #expect(order(merged) == order(whole))
        let wf = try IndicatorsCommandTests.run(base + ["--walk-forward", "train=500,test=250"])
        #expect(wf.status == 0, "\(wf.error)")
        #expect((try Self.json(wf.output)["windows"] as? [Any])?.count == 6)
    }
}
