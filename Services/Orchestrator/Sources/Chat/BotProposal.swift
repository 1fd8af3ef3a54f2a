import Contract
import Foundation
import ServiceKit
import Store
import Strategies
import TradingCore
import Wire

/// A bot the assistant proposed in a conversation, waiting for the user's word. The model can
/// only propose (`create_bot`); the bot is created by the user's next message when it is a plain
/// yes, never by the model, and anything else drops the proposal.
struct BotProposal: Sendable, Hashable {
    var name: String
    var symbol: String
    var timeframe: Timeframe
    var document: String
    /// What the user is asked to confirm.
    var summary: String

    /// Whether `message` confirms ("yes", "yes please", "confirm", "go ahead", "do it", "create it", "ok").
    static func confirms(_ message: String) -> Bool {
        let text = message.lowercased().components(separatedBy: .punctuationCharacters).joined(separator: " ")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return text.range(
            of: #"^(yes|yep|yeah|sure|ok|okay|confirm(ed)?|go ahead|do it|create it|please do)( please| create it| do it| go ahead| thanks?)*$"#,
            options: .regularExpression) != nil
    }

    static func load(conversation: String, _ db: some SQLQuerying) async throws -> BotProposal? {
        try await db.query("SELECT name, symbol, timeframe, document, summary FROM chat_bot_proposals WHERE conversation_id = \(conversation)::uuid").first.map { r in
            BotProposal(
                name: try r.decode(at: 0), symbol: try r.decode(at: 1), timeframe: Timeframe(rawValue: try r.decode(at: 2)) ?? .h1,
                document: try r.decode(at: 3), summary: try r.decode(at: 4))
        }
    }

    func save(conversation: String, user: String, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO chat_bot_proposals VALUES (\(conversation)::uuid, \(user), \(name), \(symbol), \(timeframe.rawValue), \(document), \(summary), \(WallClock.nowNs))
            ON CONFLICT (conversation_id) DO UPDATE SET name = EXCLUDED.name, symbol = EXCLUDED.symbol, timeframe = EXCLUDED.timeframe,
                document = EXCLUDED.document, summary = EXCLUDED.summary, created_at_ns = EXCLUDED.created_at_ns
            """)
    }

    static func drop(conversation: String, _ db: some SQLQuerying) async throws {
        try await db.execute("DELETE FROM chat_bot_proposals WHERE conversation_id = \(conversation)::uuid")
    }
}
