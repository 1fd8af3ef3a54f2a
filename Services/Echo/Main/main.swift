import EchoService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-echo") {
    let (configuration, _) = try HostConfiguration.read(service: "echo")
    try await buildEcho(configuration: configuration).run()
}
