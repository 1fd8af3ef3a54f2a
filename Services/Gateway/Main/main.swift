import GatewayService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-gateway") {
    let (configuration, settings) = try readGatewayConfiguration()
    try await buildGateway(configuration: configuration, settings: settings).run()
}
