import ExecutionService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-execution") {
    let (configuration, settings) = try readExecutionConfiguration()
    try await buildExecution(configuration: configuration, settings: settings).run()
}
