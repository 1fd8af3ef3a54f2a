import OrchestratorService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-orchestrator") {
    let (configuration, settings) = try readOrchestratorConfiguration()
    try await buildOrchestrator(configuration: configuration, settings: settings).run()
}
