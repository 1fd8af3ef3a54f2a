import Foundation
import Logging
import ServiceKit
import Strategies
import TradingCore

/// The `macro` agent: risk-on or risk-off from economic series (FRED) and configured risk-off
/// windows (a central bank's announcement, a CPI release). Inside a window it sells at full
/// confidence (as a veto agent it blocks new entries there). Otherwise it reads three signals
/// from the values known at the bar's close, each worth one point: policy rates up (risk-off) or
/// down (risk-on) by half a point over six months; inflation above 4 % a year and rising
/// (risk-off) or below 3 % and easing (risk-on); unemployment's three-month average half a point
/// above its low of the year before (the Sahm rule: risk-off), or at that low (half a point
/// risk-on). A value counts from its period's date plus a publication lag (a day after a daily
/// or weekly period, 46 days after a monthly one, 120 after a quarterly one), so a backtest never
/// sees a release before it was out.
public actor MacroAgent {
    struct Settings: Sendable {
        static let keys: Set<String> = [
            "macro.fred_url", "macro.fred_api_key_env", "macro.fred_api_key_file", "macro.rates_series", "macro.inflation_series",
            "macro.unemployment_series", "macro.risk_off_windows", "macro.poll_seconds",
        ]

        var fred: (url: URL, key: String)?
        /// Series ids by what they measure.
        var series: [Role: String] = [.rates: "FEDFUNDS", .inflation: "CPIAUCSL", .unemployment: "UNRATE"]
        var windows: [RiskWindow] = []
        var pollInterval: Duration = .seconds(6 * 3600)

        var configured: Bool { fred != nil || !windows.isEmpty }

        static func read(
            _ v: ConfigValues, environment: [String: String] = ProcessInfo.processInfo.environment,
            readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
        ) throws(ConfigError) -> Settings {
            var s = Settings()
            if let key = try v.secret(fileKey: "macro.fred_api_key_file", variableKey: "macro.fred_api_key_env", variable: "FRED_API_KEY", environment: environment, readFile: readFile) {
                s.fred = (try v.url("macro.fred_url", default: "https://api.stlouisfed.org/fred"), key)
            }
            for role in Role.allCases {
                let key = "macro.\(role.rawValue)_series"
                let id = v.string(key, default: s.series[role]!)
                guard id.range(of: #"^[A-Za-z0-9_]{1,40}$"#, options: .regularExpression) != nil else {
                    throw ConfigError(key: key, message: "= \"\(id.prefix(40))\" must be a FRED series id (letters, digits, _), e.g. \(s.series[role]!)")
                }
                s.series[role] = id
            }
            do { s.windows = try RiskWindow.list(v.string("macro.risk_off_windows", default: "")) } catch {
                throw ConfigError(key: "macro.risk_off_windows", message: error.description)
            }
            s.pollInterval = .seconds(try v.int("macro.poll_seconds", default: 6 * 3600, range: 60...7 * 86_400))
            return s
        }
    }

    /// What a series measures.
    enum Role: String, CaseIterable, Sendable {
        case rates, inflation, unemployment
    }

    let settings: Settings
    let logger: Logger
    private var series: [Role: EconomicSeries] = [:]
    private var polled = false
    private var polling = false
    private var down: String?

    init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    static func abstain(_ code: String, _ why: String) -> AgentOpinion {
        AgentOpinion(action: .hold, confidence: 0, reasoning: "abstains (\(code)): \(why)")
    }

    /// The vote for a bar closing at `closeNs` (the polling loop reads the series when it starts).
    public func vote(closeNs: Int64) -> AgentOpinion {
        guard settings.configured else {
            return Self.abstain("not_configured", "no economic data (macro.fred_api_key_env) and no risk-off window (macro.risk_off_windows) is configured")
        }
        if let window = settings.windows.first(where: { $0.contains(closeNs) }) {
            return AgentOpinion(action: .sell, confidence: 1, reasoning: "risk-off: inside the window \(window)")
        }
        guard settings.fred != nil else { return Self.abstain("no_data", "outside every risk-off window, and no economic series is configured") }
        guard polled else { return Self.abstain("no_data", "the economic series have not been read yet") }
        return Self.assess(series, at: closeNs)
    }

    /// Votes for bars closing at `closes` (a backtest's), the series read first when they have not been.
    func votes(closes: [Int64]) async -> [AgentOpinion] {
        if settings.fred != nil, !polled { await poll() }
        return closes.map { vote(closeNs: $0) }
    }

    /// The vote the series give at `t`, from the values known then.
    static func assess(_ series: [Role: EconomicSeries], at t: Int64) -> AgentOpinion {
        var net = 0.0
        var reasons: [String] = []
        var read = 0
        let day: Int64 = 86_400_000_000_000
        if let s = series[.rates], let known = knownAt(s, t), let latest = known.last, let before = value(known, atOrBefore: latest.dateNs - 182 * day) {
            read += 1
            let change = latest.value - before
            if change >= 0.5 {
                net += 1
                reasons.append("\(s.id) up \(change.shown) points in six months (tightening)")
            } else if change <= -0.5 {
                net -= 1
                reasons.append("\(s.id) down \((-change).shown) points in six months (easing)")
            }
        }
        if let s = series[.inflation], let known = knownAt(s, t), let latest = known.last, let yearAgo = value(known, atOrBefore: latest.dateNs - 365 * day),
            yearAgo > 0
        {
            read += 1
            let yoy = latest.value / yearAgo - 1
            let earlier = known.last { $0.dateNs <= latest.dateNs - 85 * day }
            let earlierYoY = earlier.flatMap { e in value(known, atOrBefore: e.dateNs - 365 * day).map { e.value / $0 - 1 } }
            let percent = (yoy * 100).shown
            if yoy > 0.04, earlierYoY.map({ yoy >= $0 }) ?? true {
                net += 1
                reasons.append("inflation (\(s.id)) \(percent)% a year and rising")
            } else if yoy < 0.03, earlierYoY.map({ yoy <= $0 }) ?? true {
                net -= 1
                reasons.append("inflation (\(s.id)) \(percent)% a year and easing")
            }
        }
        if let s = series[.unemployment], let known = knownAt(s, t), known.count >= 15 {
            read += 1
            let averages = (2..<known.count).map { i in (known[i].value + known[i - 1].value + known[i - 2].value) / 3 }
            let now = averages.last!
            let low = averages.dropLast().suffix(12).min()!
            if now - low >= 0.5 {
                net += 1
                reasons.append("unemployment (\(s.id)) \((now - low).shown) points above its low of the year before (the Sahm rule)")
            } else if now <= low {
                net -= 0.5
                reasons.append("unemployment (\(s.id)) at its low of the past year")
            }
        }
        guard read > 0 else { return abstain("no_data", "no economic value was published yet at this bar") }
        let why = reasons.isEmpty ? "no clear macro signal" : reasons.joined(separator: "; ")
        if net >= 1 { return AgentOpinion(action: .sell, confidence: min(1, net / 2.5), reasoning: "risk-off: " + why) }
        if net <= -1 { return AgentOpinion(action: .buy, confidence: min(1, -net / 2.5) * 0.8, reasoning: "risk-on: " + why) }
        return AgentOpinion(action: .hold, confidence: 0.3, reasoning: "neutral: " + why)
    }

    /// The observations published by `t` (each period's date plus its lag); nil when none.
    static func knownAt(_ s: EconomicSeries, _ t: Int64) -> ArraySlice<(dateNs: Int64, value: Double)>? {
        guard s.observations.count >= 2 else { return nil }
        let day: Int64 = 86_400_000_000_000
        let n = s.observations.count
        let spacing = (s.observations[n - 1].dateNs - s.observations[max(0, n - 13)].dateNs) / Int64(min(12, n - 1))
        let lag = spacing <= 8 * day ? spacing + day : spacing <= 35 * day ? 46 * day : 120 * day
        var end = s.observations.partitionPoint { $0.dateNs + lag > t }
        end = min(end, n)
        return end == 0 ? nil : s.observations[..<end]
    }

    static func value(_ known: ArraySlice<(dateNs: Int64, value: Double)>, atOrBefore t: Int64) -> Double? {
        known.last { $0.dateNs <= t }?.value
    }

    /// Reads every series every `macro.poll_seconds` until cancelled.
    public func run() async {
        guard settings.fred != nil else { return }
        while !Task.isCancelled {
            await poll()
            try? await Task.sleep(for: settings.pollInterval)
        }
    }

    /// Reads every series once (the last six years).
    func poll() async {
        guard let fred = settings.fred, !polling else { return }
        polling = true
        defer { polling = false }
        let client = FREDClient(baseURL: fred.url, apiKey: fred.key)
        let start = CivilDate.civil(fromDays: Int(WallClock.nowNs / 86_400_000_000_000) - 6 * 366)
        let since = String(format: "%04d-%02d-%02d", start.year, start.month, start.day)
        var failed: String?
        for role in Role.allCases {
            guard let id = settings.series[role] else { continue }
            do { series[role] = try await client.observations(id, since: since) } catch { failed = error.description }
        }
        if let failed, down == nil { logger.warning("economic series cannot be read; the macro agent uses what it has", metadata: ["error": "\(failed)"]) }
        if failed == nil, down != nil { logger.notice("economic series are read again") }
        down = failed
        polled = polled || !series.isEmpty
    }

    /// Series given directly (tests, and backtests that bring their own).
    func load(_ given: [Role: EconomicSeries]) {
        series = given
        polled = true
    }
}

extension Array {
    /// The index of the first element for which `beyond` holds, the array being partitioned by it.
    func partitionPoint(_ beyond: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if beyond(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
