import ArgumentParser

/// `tradewind`: the operator and developer command line.
@main
struct Tradewind: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradewind",
        abstract: "Operate and measure Tradewind services.",
        subcommands: [Call.self, Methods.self, AdminCommand.self, AuditCommand.self, IndicatorsCommand.self, BacktestCommand.self, OptimizeCommand.self, PineCommand.self, MCPCommand.self, Bench.self])
}
