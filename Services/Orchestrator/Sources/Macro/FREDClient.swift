import Foundation
import ServiceKit
import Strategies
import TradingCore

/// One economic series' observations: (the period's date, value), oldest first.
struct EconomicSeries: Sendable {
    var id: String
    /// Nanoseconds of the period's first day (UTC midnight) and its value; FRED's missing
    /// values (`.`) are left out.
    var observations: [(dateNs: Int64, value: Double)]
}

/// FRED's series observations API (fred.stlouisfed.org/docs/api/fred/series_observations.html):
/// `GET {base}/series/observations?series_id=…&api_key=…&file_type=json&observation_start=…`,
/// answering `{"realtime_start", …, "count", "offset", "limit", "observations": [{"realtime_start",
/// "realtime_end", "date": "YYYY-MM-DD", "value": "5.33"}]}` where a missing value is `"."`.
/// Errors come as `{"error_code": 400, "error_message": "Bad Request.  …"}` (the v2 API's
/// `{"code", "message"}` is read too); 429 is its rate limit. The key goes in the query as the API
/// asks and is never put in an error or a log line.
struct FREDClient: Sendable {
    let client: OutboundHTTPClient
    let apiKey: String

    init(baseURL: URL, apiKey: String, timeout: Duration = .seconds(20)) {
        // The base URL's path leads every request's (`OutboundHTTPClient.url`).
        client = OutboundHTTPClient(baseURL: baseURL, headers: [("Accept", "application/json")], timeout: timeout)
        self.apiKey = apiKey
    }

    /// What went wrong reading a series.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        var retryAfter: Duration?
    }

    /// `series` observed since `start` (YYYY-MM-DD).
    func observations(_ series: String, since start: String) async throws(Failure) -> EconomicSeries {
        let response: OutboundHTTPClient.Response
        do {
            response = try await client.get(
                "/series/observations",
                query: [("series_id", series), ("api_key", apiKey), ("file_type", "json"), ("observation_start", start)])
        } catch {
            throw Failure(description: "FRED cannot be reached: \(String(describing: error).replacingOccurrences(of: apiKey, with: "…"))")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let body = try? JSONValue(parsing: text)
            let said = (body?["error_message"]?.string ?? body?["message"]?.string ?? String(text.prefix(160))).replacingOccurrences(of: apiKey, with: "…")
            throw Failure(description: "FRED answered HTTP \(response.status) for \(series): \(said)", retryAfter: response.status == 429 ? response.retryAfter ?? .seconds(60) : nil)
        }
        return try Self.parse(text, series: series)
    }

    static func parse(_ text: String, series: String) throws(Failure) -> EconomicSeries {
        guard let body = try? JSONValue(parsing: text), let rows = body["observations"]?.array else {
            throw Failure(description: "FRED answered something other than observations for \(series): \(text.prefix(120))")
        }
        var out: [(Int64, Double)] = []
        for row in rows {
            guard let date = row["date"]?.string, let ns = TimestampParser.parse(Substring(date)) else {
                throw Failure(description: "FRED sent an observation of \(series) without a YYYY-MM-DD date: \(row.jsonText.prefix(80))")
            }
            guard let raw = row["value"]?.string, raw != ".", let value = Double(raw), value.isFinite else { continue }
            out.append((ns, value))
        }
        out.sort { $0.0 < $1.0 }
        return EconomicSeries(id: series, observations: out)
    }
}
