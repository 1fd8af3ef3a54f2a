import ArgumentParser
import Dispatch
import Foundation
import Store

/// `tradewind bench codec|rpc|bus|store|indicators|marketdata|gateway|backtest|pine|ai`: each prints one JSON object of figures, with its baseline
/// measured in the same run. Build in release (`swift build -c release`) before trusting them.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a hot path; prints one JSON object.",
        subcommands: [
            CodecBench.self, RPCBench.self, BusBench.self, StoreBench.self, IndicatorsBench.self, MarketDataBench.self, GatewayBench.self,
            BacktestBench.self, PineBench.self, AIBench.self, WebSocketHarnessCommand.self,
        ])
}

/// Prints `figures` as one JSON object with keys in a stable order.
func printFigures(_ name: String, _ figures: [(String, Double)]) {
    let body = figures.map { key, value in
        let v = value.isFinite ? (value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)) : "null"
        return "\"\(key)\":\(v)"
    }
    print("{\"bench\":\"\(name)\",\(body.joined(separator: ","))}")
}

/// The value at `q` (0...1) of sorted `values`.
func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
}

/// Monotonic nanoseconds.
func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Where the benches find Postgres and Redis: what `scripts/infra.sh start` exports
/// (`TRADEWIND_PG_PORT`, `_USER`, `_DATABASE`, `TRADEWIND_REDIS_PORT`), else the usual defaults.
enum BenchInfrastructure {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var postgres: StoreConfiguration {
        var pg = StoreConfiguration()
        pg.port = Int(environment["TRADEWIND_PG_PORT"] ?? "") ?? 5432
        pg.user = environment["TRADEWIND_PG_USER"] ?? "tradewind"
        pg.database = environment["TRADEWIND_PG_DATABASE"] ?? "tradewind"
        return pg
    }

    static var redisPort: Int { Int(environment["TRADEWIND_REDIS_PORT"] ?? "") ?? 6379 }
}
