import Contract
import Foundation
import RPC
import ServiceKit
import Store
import Strategies
import Wire

/// Users' saved strategy documents: checked when saved (read and compiled at their defaults),
/// versioned (every save of an id is its next version, all kept), and resolved into a
/// `StrategyConfig` wherever one names a saved strategy by id.
enum SavedStrategies {
    /// Checks `request.document` (or compiles `request.pine` to one) and, unless `validate_only`,
    /// stores it as a new strategy or the next version of the owner's `request.id`.
    static func save(_ request: PB.SaveStrategyRequest, _ store: Store) async throws -> PB.SavedStrategy {
        let owner = request.ownerId.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        var document = request.document
        var warnings: [String] = []
        if !request.pine.isEmpty {
            guard document.isEmpty else { throw OrchestratorError(.invalidStrategy, "give a document or pine, not both") }
            let compiled = try compile(pine: request.pine)
            document = compiled.document.json.jsonText
            warnings = compiled.warnings.map(\.description)
        }
        guard !document.isEmpty else {
            throw OrchestratorError(.invalidArgument, "document is missing: the strategy-language document to save (or pine: a Pine Script strategy)")
        }
        // Checked like any strategy; shorting is decided per instrument when it runs.
        let strategy = try Strategy(PB.StrategyConfig(document: document), shortable: true)
        var saved = PB.SavedStrategy(
            id: request.id.isEmpty ? UUID().uuidString.lowercased() : try OrchestratorHandlers.uuid(request.id, "id"), ownerId: owner, version: 1,
            name: strategy.name, document: document, createdAtNs: WallClock.nowNs, parameters: strategy.parameters,
            warmupBars: UInt32(strategy.plan.warmup), indicators: strategy.plan.indicators.map { $0.label }, pine: request.pine, warnings: warnings)
        if request.validateOnly {
            saved.id = ""
            return saved
        }
        if !request.id.isEmpty {
            guard let latest = try await OrchestratorTables.savedStrategy(id: saved.id, version: 0, store), latest.ownerId == owner else {
                throw OrchestratorError(.unknownStrategy, "no saved strategy \(saved.id)")
            }
            saved.version = latest.version + 1
        }
        guard try await OrchestratorTables.insert(saved, store) else {
            throw OrchestratorError(.invalidArgument, "strategy \(saved.id) was saved by another request at version \(saved.version); read it and save again")
        }
        return saved
    }

    /// The largest Pine script accepted (as large as a document may be).
    static let maxPineBytes = 256 * 1024

    /// Compiles a Pine strategy; its first error is the refusal, with its code, line and column.
    static func compile(pine: String) throws(OrchestratorError) -> PineCompilation {
        guard pine.utf8.count <= maxPineBytes else {
            throw OrchestratorError(.invalidStrategy, "the Pine script is \(pine.utf8.count) bytes; at most 256 KiB")
        }
        do {
            return try PineCompiler.compile(pine)
        } catch {
            throw OrchestratorError(.invalidStrategy, "\(error.code.rawValue): \(error)")
        }
    }

    /// `owner`'s strategy `id` at `version` (0: the latest); anyone else's is not found.
    static func get(_ id: String, version: UInt32, owner: String, _ store: Store) async throws -> PB.SavedStrategy {
        let id = try OrchestratorHandlers.uuid(id, "strategy_id")
        guard !owner.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        // Versions are stored as a Postgres integer: one beyond it is a version nobody saved.
        guard version <= Int32.max, let saved = try await OrchestratorTables.savedStrategy(id: id, version: Int(version), store), saved.ownerId == owner else {
            throw OrchestratorError(.unknownStrategy, version > 0 ? "no saved strategy \(id) at version \(version)" : "no saved strategy \(id)")
        }
        return saved
    }

    /// `config` with a saved strategy it names read in: its document, its name unless one is
    /// given, and the version pinned. Unchanged when it names none.
    static func resolve(_ config: PB.StrategyConfig?, owner: String, _ store: Store) async throws -> PB.StrategyConfig? {
        guard var config, !config.strategyId.isEmpty else { return config }
        guard config.document.isEmpty else {
            throw OrchestratorError(.invalidStrategy, "give a strategy_id or a document, not both")
        }
        let saved = try await get(config.strategyId, version: config.strategyVersion, owner: owner, store)
        config.document = saved.document
        config.strategyId = saved.id
        config.strategyVersion = saved.version
        if config.name.isEmpty { config.name = saved.name }
        return config
    }
}
