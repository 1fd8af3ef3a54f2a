import RiskService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-risk") {
    let (configuration, settings) = try readRiskConfiguration()
    try await buildRisk(configuration: configuration, settings: settings).run()
}
