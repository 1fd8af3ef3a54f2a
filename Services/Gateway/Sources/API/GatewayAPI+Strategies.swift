import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import Strategies
import Wire

extension GatewayAPI {
    var strategyRoutes: [Route] {
        [
            Route(method: .get, path: "/api/strategy-templates", answers: .list("templates", of: TemplateView.self), role: .viewer, summary: "The template library: each template's document and parameters") { _, _, _ in
                let templates = try await peers.orchestratorClient().listStrategies(PB.Empty()).strategies
                return try JSONBody.response(["templates": templates.map(TemplateView.init)])
            },
            Route(method: .get, path: "/api/agents", answers: .list("agents", of: AgentView.self), role: .viewer, summary: "The rule agents a consensus signal can weigh") { _, _, _ in
                let agents = try await peers.orchestratorClient().listAgents(PB.Empty()).agents
                return try JSONBody.response(["agents": agents.map { AgentView(name: $0.name, kind: $0.kind, description: $0.description, defaultWeight: $0.defaultWeight) }])
            },
            Route(
                method: .post, path: "/api/strategies/validate", answers: .of(SavedStrategyView.self), role: .viewer,
                summary: "Check a strategy document or a Pine script without saving it: its parameters, warm-up, indicators and Pine warnings, or the error at its JSON pointer or line and column",
                body: ["document": "object", "pine": "string"]
            ) { request, _, p in
                let saved = try await save(request, id: "", validateOnly: true, p)
                return try JSONBody.response(SavedStrategyView(saved))
            },
            Route(method: .post, path: "/api/strategies", answers: .of(SavedStrategyView.self), role: .viewer, summary: "Save a strategy document, or a Pine script (compiled to one, both kept) (version 1)", body: ["document": "object", "pine": "string"], success: .created) {
                request, _, p in try JSONBody.response(SavedStrategyView(try await save(request, id: "", validateOnly: false, p)), status: .created)
            },
            Route(method: .put, path: "/api/strategies/{id}", answers: .of(SavedStrategyView.self), role: .viewer, summary: "Save the next version of one of your strategies (a document or a Pine script)", body: ["document": "object", "pine": "string"]) {
                request, context, p in try JSONBody.response(SavedStrategyView(try await save(request, id: try parameter("id", context), validateOnly: false, p)))
            },
            Route(method: .get, path: "/api/strategies", answers: .of(SavedStrategiesPage.self), role: .viewer, summary: "Your saved strategies at their latest versions (paged: limit, cursor)", query: ["limit", "cursor"]) {
                request, _, p in
                let page = try await peers.orchestratorClient().listSavedStrategies(PB.ListSavedStrategiesRequest(
                    ownerId: p.userId, page: PB.PageRequest(
                        limit: UInt32(try QueryParameters.integer("limit", request, path: "/api/strategies") ?? 0), cursor: try QueryParameters.cursor(request))))
                return try JSONBody.response(SavedStrategiesPage(
                    strategies: page.strategies.map(SavedStrategyView.init), nextCursor: page.page?.nextCursor ?? "", hasMore: page.page?.hasMore ?? false))
            },
            Route(method: .get, path: "/api/strategies/{id}", answers: .of(SavedStrategyView.self), role: .viewer, summary: "One of your saved strategies, at `version` (default the latest)", query: ["version"]) {
                request, context, p in
                let version = UInt32(try QueryParameters.integer("version", request, path: "/api/strategies/{id}") ?? 0)
                let saved = try await peers.orchestratorClient().getSavedStrategy(PB.GetSavedStrategyRequest(id: try parameter("id", context), ownerId: p.userId, version: version))
                return try JSONBody.response(SavedStrategyView(saved))
            },
        ]
    }

    /// Reads `{"document": …}` (an object, kept exactly as sent, or its text) or `{"pine": "…"}`
    /// and saves or checks it.
    private func save(_ request: Request, id: String, validateOnly: Bool, _ p: Principal) async throws -> PB.SavedStrategy {
        let data = try await JSONBody.data(from: request)
        let root: JSONValue
        do { root = try JSONValue(parsing: String(decoding: data, as: UTF8.self)) } catch {
            throw APIError(.badRequest, "request.invalid_json", error.message)
        }
        guard case .object(let o) = root else { throw APIError(.badRequest, "request.invalid_json", "the body is an object: {\"document\": …} or {\"pine\": \"…\"}") }
        var pine = ""
        switch o["pine"] {
        case nil: break
        case .string(let s)?:
            guard !s.isEmpty, s.count <= BodyFields.pineLength, !s.contains("\u{0}") else {
                throw APIError(.badRequest, "request.invalid_field", "pine is the script's text: 1 to \(BodyFields.pineLength) characters, no NUL")
            }
            pine = s
        case let other?: throw APIError(.badRequest, "request.invalid_field", "pine is the Pine script as a string, not \(other.kind)")
        }
        var text = ""
        switch o["document"] {
        case nil: break
        case .object?: text = o["document"]!.jsonText
        case .string(let s)?: text = s
        case let other?: throw APIError(.badRequest, "request.invalid_json", "document is a strategy-language object (or its JSON text), not \(other.kind)")
        }
        guard !text.isEmpty || !pine.isEmpty else {
            throw APIError(.badRequest, "request.invalid_json", "document is missing: the strategy-language document as an object, or pine: a Pine Script strategy")
        }
        return try await peers.orchestratorClient().saveStrategy(
            PB.SaveStrategyRequest(ownerId: p.userId, id: id, document: text, validateOnly: validateOnly, pine: pine))
    }
}

struct TemplateView: Encodable {
    var name, description: String
    var parameters: [String: Double]
    var document: RawJSON
    init(_ t: PB.StrategyInfo) {
        (name, description, parameters) = (t.name, t.description, t.defaultParameters)
        document = RawJSON(text: t.document)
    }
}

struct AgentView: Encodable {
    var name, kind, description: String
    var defaultWeight: Double
}

struct SavedStrategyView: Encodable {
    var id, name: String
    var version: UInt32
    var document: RawJSON
    var parameters: [String: Double]
    var warmupBars: UInt32
    var indicators: [String]
    var createdAt: UnixMillis
    /// The Pine source the document was compiled from (absent for documents written as such).
    var pine: String?
    /// The Pine compiler's warnings, "line:column message".
    var warnings: [String]
    init(_ s: PB.SavedStrategy) {
        (id, name, version, parameters, warmupBars, indicators) = (s.id, s.name, s.version, s.parameters, s.warmupBars, s.indicators)
        createdAt = UnixMillis(nanoseconds: s.createdAtNs)
        document = RawJSON(text: s.document)
        pine = s.pine.isEmpty ? nil : s.pine
        warnings = s.warnings
    }
}

struct SavedStrategiesPage: Encodable {
    var strategies: [SavedStrategyView]
    var nextCursor: String
    var hasMore: Bool
}
