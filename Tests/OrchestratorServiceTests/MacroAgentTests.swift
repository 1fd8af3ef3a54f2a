import Foundation
import Logging
import ServiceKit
import ServiceKitTesting
import Strategies
import Testing
import TradingCore

@testable import OrchestratorService

/// The macro agent: FRED's observations API against a local server speaking its documented
/// format (fred.stlouisfed.org/docs/api/fred/series_observations.html), the three signals with
/// their publication lags, and the risk-off windows.
@Suite("Macro agent")
struct MacroAgentTests {
    static let day: Int64 = 86_400_000_000_000

    static func date(_ y: Int, _ m: Int, _ d: Int = 1) -> Int64 { Int64(CivilDate.days(fromYear: y, month: m, day: d)) * day }

    /// Monthly observations from 2021-01, one per value.
    static func monthly(_ id: String, _ values: [Double]) -> EconomicSeries {
        EconomicSeries(id: id, observations: values.enumerated().map { i, v in (date(2021 + i / 12, i % 12 + 1), v) })
    }

    @Test func fredObservationsAreReadAndItsErrorsSaid() async throws {
        let key = "abcdefghijklmnopqrstuvwxyz123456"
        let body = """
            {"realtime_start":"2026-12-08","realtime_end":"2026-12-08","observation_start":"2026-01-01","observation_end":"9999-12-31",\
            "units":"lin","output_type":1,"file_type":"json","order_by":"observation_date","sort_order":"asc","count":3,"offset":0,"limit":100000,\
            "observations":[{"realtime_start":"2026-12-08","realtime_end":"2026-12-08","date":"2026-01-01","value":"4.1"},\
            {"realtime_start":"2026-12-08","realtime_end":"2026-12-08","date":"2026-02-01","value":"."},\
            {"realtime_start":"2026-12-08","realtime_end":"2026-12-08","date":"2026-03-01","value":"4.3"}]}
            """
        try await ScriptedHTTPServer.with({ _, i in
            switch i {
            case 0: ScriptedHTTPServer.json(body)
            case 1:
                ScriptedHTTPServer.json(
                    #"{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not registered.  Read https:\/\/fred.stlouisfed.org\/docs\/api\/api_key.html for more information."}"#,
                    status: 400)
            default: ScriptedHTTPServer.json("Too many requests", status: 429, headers: ["Retry-After: 20"])
            }
        }) { port, server in
            let fred = FREDClient(baseURL: URL(string: "http://127.0.0.1:\(port)/fred")!, apiKey: key)
            let series = try await fred.observations("UNRATE", since: "2026-01-01")
            #expect(server.requests[0].target == "/fred/series/observations?series_id=UNRATE&api_key=\(key)&file_type=json&observation_start=2026-01-01")
            // The missing value (".") is left out.
            #expect(series.observations.map(\.value) == [4.1, 4.3] && series.observations[0].dateNs == Self.date(2026, 1))
            await #expect { try await fred.observations("UNRATE", since: "2026-01-01") } throws: { error in
                let text = "\(error)"
                return text.contains("HTTP 400 for UNRATE: Bad Request.  The value for variable api_key is not registered") && !text.contains(key)
            }
            await #expect { try await fred.observations("UNRATE", since: "2026-01-01") } throws: { error in (error as! FREDClient.Failure).retryAfter == .seconds(20) }
        }
    }

    @Test func theSignalsReadOnlyWhatWasPublished() {
        // Rates up from 0.1 to 4.5 over 2022; inflation 8 % a year and rising through 2022.
        let rates = Self.monthly("FEDFUNDS", (0..<36).map { (i: Int) -> Double in i < 12 ? 0.1 : min(4.5, 0.1 + Double(i - 11) * 0.4) })
        let cpi = Self.monthly("CPIAUCSL", (0..<36).map { (i: Int) -> Double in 100 * pow(1.0065, Double(i)) * (i >= 12 ? pow(1.001, Double(i - 12)) : 1) })
        let unemployment = Self.monthly("UNRATE", (0..<36).map { (i: Int) -> Double in i < 24 ? 4.0 : 4.0 + Double(i - 23) * 0.15 })
        let all: [MacroAgent.Role: EconomicSeries] = [.rates: rates, .inflation: cpi, .unemployment: unemployment]
        let off = MacroAgent.assess(all, at: Self.date(2022, 12, 20))
        #expect(off.action == .sell && off.reasoning.hasPrefix("risk-off: FEDFUNDS up"), "\(off)")
        #expect(off.reasoning.contains("inflation (CPIAUCSL)") && off.reasoning.contains("and rising"))
        // The Sahm rule once unemployment has risen half a point above its low (2024's values).
        let sahm = MacroAgent.assess([.unemployment: unemployment], at: Self.date(2024, 9, 1))
        #expect(sahm.action == .sell && sahm.reasoning.contains("Sahm rule"), "\(sahm)")
        // Before any value was out: nothing to go on.
        let early = MacroAgent.assess(all, at: Self.date(2021, 1, 20))
        #expect(early.confidence == 0 && early.reasoning.contains("no economic value"))
        // A monthly value counts 46 days after its period's date, not before.
        let step = EconomicSeries(id: "FEDFUNDS", observations: (0..<14).map { (i: Int) -> (dateNs: Int64, value: Double) in (Self.date(2021 + i / 12, i % 12 + 1), i == 13 ? 5.0 : 1.0) })
        let last = step.observations[13].dateNs
        #expect(MacroAgent.assess([.rates: step], at: last + 45 * Self.day).action == .hold)
        #expect(MacroAgent.assess([.rates: step], at: last + 46 * Self.day).action == .sell)
        // Rates falling, inflation low and easing, unemployment at its low: risk-on.
        let easing = Self.monthly("FEDFUNDS", (0..<24).map { (i: Int) -> Double in i < 12 ? 5.0 : 5.0 - Double(i - 11) * 0.25 })
        let calm = Self.monthly("CPIAUCSL", (0..<24).map { (i: Int) -> Double in 100 * pow(1.002, Double(i)) * (i >= 12 ? pow(0.9995, Double(i - 12)) : 1) })
        let low = Self.monthly("UNRATE", (0..<24).map { (i: Int) -> Double in 4.0 - Double(i) * 0.01 })
        let on = MacroAgent.assess([.rates: easing, .inflation: calm, .unemployment: low], at: Self.date(2023, 2, 20))
        #expect(on.action == .buy && on.reasoning.hasPrefix("risk-on:") && on.confidence > 0.5, "\(on)")
    }

    @Test func riskOffWindowsAreConfiguredAndVoteRiskOff() async throws {
        let windows = try RiskWindow.list("FOMC=2026-12-16T19:00:00Z/PT2H; CPI=2026-12-10T13:30:00Z/2026-12-10T14:30:00Z")
        #expect(windows.count == 2 && windows[0].label == "FOMC")
        let fomc = TimestampParser.parse("2026-12-16T19:00:00Z")!
        #expect(windows[0].contains(fomc) && windows[0].contains(fomc + 2 * 3_600_000_000_000 - 1) && !windows[0].contains(fomc + 2 * 3_600_000_000_000))
        for bad in ["FOMC=2026-12-16T19:00:00Z", "FOMC=tomorrow/PT2H", "X=2026-12-16T19:00:00Z/PT0H", "X=2026-12-16T19:00:00Z/2026-12-16T18:00:00Z"] {
            #expect(throws: RiskWindow.Malformed.self) { try RiskWindow.list(bad) }
        }
        var settings = MacroAgent.Settings()
        settings.windows = windows
        let agent = MacroAgent(settings: settings, logger: Logger(label: "macro"))
        let inside = await agent.vote(closeNs: fomc + 60_000_000_000)
        #expect(inside.action == .sell && inside.confidence == 1 && inside.reasoning == "risk-off: inside the window FOMC")
        let outside = await agent.vote(closeNs: fomc - 60_000_000_000)
        #expect(outside.confidence == 0 && outside.reasoning.contains("outside every risk-off window"))
        let none = await MacroAgent(settings: MacroAgent.Settings(), logger: Logger(label: "macro")).vote(closeNs: fomc)
        #expect(none.confidence == 0 && none.reasoning.hasPrefix("abstains (not_configured)"))
        // Settings: a key file that is empty, a window or series id that is wrong.
        func read(_ values: [String: String]) throws(ConfigError) -> MacroAgent.Settings {
            try MacroAgent.Settings.read(ConfigValues(known: MacroAgent.Settings.keys, defaults: values, environment: [:]), environment: [:], readFile: { _ in "" })
        }
        #expect(try read(["macro.risk_off_windows": "FOMC=2026-12-16T19:00:00Z/PT2H"]).configured)
        #expect(throws: ConfigError.self) { try read(["macro.fred_api_key_file": "/nowhere"]) }
        #expect(throws: ConfigError.self) { try read(["macro.risk_off_windows": "soon"]) }
        #expect(throws: ConfigError.self) { try read(["macro.rates_series": "FED FUNDS"]) }
    }
}
