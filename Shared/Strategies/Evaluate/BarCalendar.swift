import TradingCore

/// Calendar fields of a Unix time in milliseconds, in UTC (the proleptic Gregorian calendar).
enum BarCalendar {
    /// Field `index` of `TimeField.allCases` (time, year, month, dayofmonth, dayofweek, hour, minute).
    @inline(__always)
    static func field(_ index: Int, ofMillis ms: Double) -> Double {
        guard ms.isFinite else { return .nan }
        let millis = Int64(ms)
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let ofDay = millis - days * 86_400_000
        switch index {
        case 0: return ms
        case 4: return Double(((days % 7) + 11) % 7 + 1)  // 1970-01-01 was a Thursday (5); 1 is Sunday
        case 5: return Double(ofDay / 3_600_000)
        case 6: return Double(ofDay / 60_000 % 60)
        default:
            let date = CivilDate.civil(fromDays: Int(days))
            return Double(index == 1 ? date.year : (index == 2 ? date.month : date.day))
        }
    }
}
