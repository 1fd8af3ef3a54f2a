import ArgumentParser
import Contract
import Foundation
import RPC
import ServiceKit
import Wire

/// `tradewind audit verify HOST:PORT…`: recomputes each service's audit hash chain (over RPC, as
/// the operator) and says whether it is intact; exits 1 when any is not.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check services' audit trails.", subcommands: [Verify.self, Decisions.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute each service's audit hash chain; print one JSON line per service; exit 1 if any entry was changed or removed.")

        @Argument(help: "The services' RPC addresses, HOST:PORT.")
        var addresses: [String]

        @Option(help: "The operator's RPC secret (default: $TRADEWIND_RPC_SECRET, else the development one).")
        var secret: String?

        func run() async throws {
            guard !addresses.isEmpty else { throw ValidationError("name at least one service address, HOST:PORT") }
            var broken = false
            for address in addresses {
                let target = try parseAddress(address)
                let (service, result) = try await withClient(target: target, secret: secret) { client in
                    let diagnostics = DiagnosticsClient(client)
                    return (try await diagnostics.info(PB.Empty()).service, try await diagnostics.verifyAudit(PB.Empty()))
                }
                broken = broken || !result.intact
                let line: [String: Any] = [
                    "service": service, "address": address, "intact": result.intact, "entries": result.entries,
                    "first_broken_seq": result.firstBrokenSeq, "message": result.message, "head_hash": result.headHash,
                ]
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
            if broken { throw ExitCode(1) }
        }
    }
}

extension AuditCommand {
    /// `tradewind audit decisions HOST:PORT [--bot ID]`: recomputes the orchestrator's per-bot
    /// decision hash chains; exits 1 when a decision was changed or removed.
    struct Decisions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the orchestrator's decision hash chains; print one JSON line; exit 1 if any decision was changed or removed.")

        @Argument(help: "The orchestrator's RPC address, HOST:PORT.")
        var address: String

        @Option(help: "One bot's chain (default: every bot's).")
        var bot: String = ""

        @Option(help: "The operator's RPC secret (default: $TRADEWIND_RPC_SECRET, else the development one).")
        var secret: String?

        func run() async throws {
            let check = try await withClient(target: try parseAddress(address), secret: secret) { client in
                try await OrchestratorClient(client).verifyDecisions(PB.VerifyDecisionsRequest(botId: bot))
            }
            let line: [String: Any] = [
                "intact": check.intact, "bots": check.bots, "decisions": check.decisions, "broken_bot_id": check.brokenBotId,
                "first_broken_seq": check.firstBrokenSeq, "message": check.message,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
            if !check.intact { throw ExitCode(1) }
        }
    }
}
