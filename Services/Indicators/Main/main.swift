import IndicatorsService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-indicators") {
    let (configuration, settings) = try readIndicatorsConfiguration()
    try await buildIndicators(configuration: configuration, settings: settings).run()
}
