import Foundation
import ExecutionService
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
do {
    let (configuration, settings) = try readExecutionConfiguration()
    try await buildExecution(configuration: configuration, settings: settings).run()
} catch {
    FileHandle.standardError.write(Data("tradewind-execution: \(error)\n".utf8))
    exit(2)
}
