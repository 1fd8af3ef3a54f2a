import Foundation
import RPC
import TradingCore

/// When an instrument trades: daily windows in the venue's time zone on given weekdays, or always.
///
/// Daily candles of an instrument with sessions start at local midnight in its time zone (a New York
/// stock's 1d candle covers the New York trading day); every other timeframe is aligned to UTC.
public struct TradingSessions: Sendable, Hashable {
    /// A daily window, minutes after local midnight, `[open, close)`. A window whose close is before
    /// its open runs over midnight (FX: 17:00–17:00 is written as open 1020, close 1020 + 1440).
    public struct Window: Sendable, Hashable {
        /// Minutes after local midnight; `closeMinute` > 1440 runs into the next day.
        public var openMinute: Int
        public var closeMinute: Int
    }

    /// IANA time zone name; nil means UTC.
    public let timeZone: String?
    /// The daily trading windows; empty for 24/7.
    public var windows: [Window]
    /// Local time in `timeZone`, made once (looking a zone up by name is slow).
    let localClock: LocalClock
    /// ISO weekdays (1 = Monday … 7 = Sunday) on which windows open.
    public var weekdays: Set<Int>

    /// Trades around the clock, every day (crypto).
    public static let continuous = TradingSessions(timeZone: nil, windows: [], weekdays: [])

    /// Sessions from parsed windows (`init(timeZone:windows:weekdays:)` below parses text).
    public init(timeZone: String?, windows: [Window], weekdays: Set<Int>) {
        self.timeZone = timeZone
        self.windows = windows
        self.weekdays = weekdays
        self.localClock = LocalClock(timeZone: timeZone)
    }

    /// Parses windows written as `"09:30-16:00"`.
    public init(timeZone: String, windows text: [String], weekdays: Set<Int> = [1, 2, 3, 4, 5]) throws(MarketDataError) {
        guard TimeZone(identifier: timeZone) != nil else {
            throw MarketDataError(.invalidConfiguration, "unknown time zone \"\(timeZone)\"; use an IANA name such as America/New_York")
        }
        var parsed: [Window] = []
        for w in text {
            let parts = w.split(separator: "-")
            guard parts.count == 2, let open = Self.minutes(parts[0]), let close = Self.minutes(parts[1]) else {
                throw MarketDataError(.invalidConfiguration, "session \"\(w)\" is not HH:MM-HH:MM")
            }
            parsed.append(Window(openMinute: open, closeMinute: close > open ? close : close + 1440))
        }
        self.init(timeZone: timeZone, windows: parsed, weekdays: weekdays)
    }

    private static func minutes(_ s: Substring) -> Int? {
        let hm = s.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    /// True for markets that never close.
    public var isContinuous: Bool { windows.isEmpty }

    /// The `"HH:MM-HH:MM"` form of each window (the wire's `Instrument.sessions`).
    public var windowTexts: [String] {
        windows.map { w in
            func hm(_ m: Int) -> String { String(format: "%02d:%02d", (m / 60) % 24, m % 60) }
            return "\(hm(w.openMinute))-\(hm(w.closeMinute))"
        }
    }

    /// True when the market is open at `ns` (Unix nanoseconds).
    public func isOpen(at ns: Int64) -> Bool {
        guard !isContinuous else { return true }
        let (_, minute, weekday) = localClock.split(ns)
        for w in windows {
            // Today's window, or yesterday's running past midnight.
            if weekdays.contains(weekday), minute >= w.openMinute, minute < w.closeMinute { return true }
            let yesterday = weekday == 1 ? 7 : weekday - 1
            if w.closeMinute > 1440, weekdays.contains(yesterday), minute + 1440 < w.closeMinute { return true }
        }
        return false
    }
}

/// Splits instants into local day, minute of day and ISO weekday in one time zone.
struct LocalClock: Sendable, Hashable {
    let zone: TimeZone?

    init(timeZone: String?) { zone = timeZone.flatMap(TimeZone.init(identifier:)) }

    /// Seconds to add to UTC for local time at `ns`.
    func offsetSeconds(at ns: Int64) -> Int64 {
        guard let zone else { return 0 }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ns) / 1e9)))
    }

    /// (local day number since 1970-01-01, minute of the local day, ISO weekday).
    func split(_ ns: Int64) -> (day: Int64, minute: Int, weekday: Int) {
        let localSeconds = floorDiv(ns, 1_000_000_000) + offsetSeconds(at: ns)
        let day = floorDiv(localSeconds, 86_400)
        let minute = Int((localSeconds - day * 86_400) / 60)
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = Int(((day % 7) + 7 + 3) % 7) + 1
        return (day, minute, weekday)
    }

    /// UTC nanoseconds of local midnight starting the local day that contains `ns`.
    func dayStart(containing ns: Int64) -> Int64 {
        let (day, _, _) = split(ns)
        let guess = day * 86_400_000_000_000 - offsetSeconds(at: ns) * 1_000_000_000
        // The offset at midnight can differ from the one at `ns` on a DST change day.
        return day * 86_400_000_000_000 - offsetSeconds(at: guess) * 1_000_000_000
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension TradingSessions {
    /// The period of `timeframe` containing `ns`: UTC-aligned, except the day of an instrument with
    /// a session time zone, which runs from local midnight to local midnight (23–25 h around DST).
    public func period(_ timeframe: Timeframe, containing ns: Int64) -> (start: Int64, end: Int64) {
        if timeframe == .d1, timeZone != nil {
            let start = localClock.dayStart(containing: ns)
            // 26 h after a local midnight is always inside the next local day.
            return (start, localClock.dayStart(containing: start + 26 * 3_600_000_000_000))
        }
        let start = timeframe.periodStart(containing: ns)
        return (start, start + timeframe.nanoseconds)
    }

    /// True when the market is open at some moment of `[start, end)`, sampled every 15 minutes.
    public func trades(during start: Int64, _ end: Int64) -> Bool {
        if isContinuous { return true }
        let step: Int64 = 15 * 60_000_000_000
        var t = start
        while t < end {
            if isOpen(at: t) { return true }
            t += step
        }
        return false
    }
}
