import EchoService
import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
do {
    let (configuration, _) = try HostConfiguration.read(service: "echo")
    try await buildEcho(configuration: configuration).run()
} catch {
    FileHandle.standardError.write(Data("tradewind-echo: \(error)\n".utf8))
    exit(2)
}
