import Foundation
import RiskService
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
do {
    let (configuration, settings) = try readRiskConfiguration()
    try await buildRisk(configuration: configuration, settings: settings).run()
} catch {
    FileHandle.standardError.write(Data("tradewind-risk: \(error)\n".utf8))
    exit(2)
}
