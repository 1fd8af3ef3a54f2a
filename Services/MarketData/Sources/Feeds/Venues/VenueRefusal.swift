import RPC
import ServiceKit

extension OutboundHTTPClient.Response {
    /// What a venue's refusal means here, one rule for every adapter: 401/403 the credentials,
    /// 404 the instrument, 418/429 a rate limit (with `Retry-After`), another 4xx the request,
    /// anything else the venue itself. `said` is the venue's own words (never a credential).
    func refusal(venue: String, what: String, said: String) -> MarketDataError {
        switch status {
        case 401, 403: MarketDataError(.invalidConfiguration, "\(venue) refused the credentials for \(what): \(said)")
        case 404: MarketDataError(.unknownSymbol, "\(venue) does not know \(what): \(said)")
        case 418, 429:
            MarketDataError(
                .rateLimited, "\(venue) is rate-limiting this address (HTTP \(status)) for \(what); retry \(retryAfter.map { "after \($0)" } ?? "later"): \(said)")
        case 400..<500: MarketDataError(.invalidArgument, "\(venue) refused \(what): \(said)")
        default: MarketDataError(.providerError, "\(venue) answered HTTP \(status) for \(what): \(said)")
        }
    }
}
