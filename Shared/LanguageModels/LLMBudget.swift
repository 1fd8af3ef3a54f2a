import Foundation
import RPC
import Strategies
import Synchronization
import TradingCore

/// The AI layer's spending limits (`ai.limit.*`).
public struct LLMLimits: Sendable, Hashable {
    /// Most answer tokens one call may ask for.
    public var callTokens: Int
    /// Most one bot's calls may cost in a UTC day, in US dollars.
    public var botDaily: FixedDecimal
    /// Most one user's calls (their bots', their assistant's) may cost in a UTC day.
    public var userDaily: FixedDecimal
    /// Most every call together may cost in a UTC day.
    public var platformDaily: FixedDecimal

    public init(callTokens: Int, botDaily: FixedDecimal, userDaily: FixedDecimal, platformDaily: FixedDecimal) {
        self.callTokens = callTokens
        self.botDaily = botDaily
        self.userDaily = userDaily
        self.platformDaily = platformDaily
    }
}

/// One model call as kept for accounting: who, what for, which model, tokens, cost, how long.
public struct LLMUsageRecord: Sendable, Hashable {
    /// When the call ended, Unix milliseconds.
    public var at: Int64
    public var user: String
    /// The bot it was for; empty for the assistant and other calls of a user's own.
    public var bot: String
    public var provider: String
    public var model: String
    public var purpose: String
    public var usage: LLMUsage
    /// In US dollars.
    public var cost: FixedDecimal
    public var latencyMs: Int
    /// `ok`, or the failure's code.
    public var outcome: String

    public init(
        at: Int64, user: String, bot: String, provider: String, model: String, purpose: String, usage: LLMUsage, cost: FixedDecimal, latencyMs: Int,
        outcome: String
    ) {
        self.at = at
        self.user = user
        self.bot = bot
        self.provider = provider
        self.model = model
        self.purpose = purpose
        self.usage = usage
        self.cost = cost
        self.latencyMs = latencyMs
        self.outcome = outcome
    }
}

/// Where spending is kept (the orchestrator's `ai_usage` table; memory in tests).
public protocol LLMUsageLedger: Sendable {
    /// What `scope` has spent on `day` (days since 1970-01-01, UTC).
    func spent(day: Int, scope: LLMBudget.Scope) async throws -> FixedDecimal
    /// Keeps one call.
    func record(_ record: LLMUsageRecord) async throws
}

/// Fails closed: before a call is made, the most it can cost (its prompt at a pessimistic three
/// characters a token, and every answer token it may ask for) is reserved against the bot's, the
/// user's and the platform's daily limits; if any would be passed, or the spend so far cannot be
/// read, the call is not made. After the call the reservation is replaced by the actual cost from
/// the provider's usage fields. Reservations live in this process: one orchestrator makes the
/// calls of the bots it runs.
public final class LLMBudget: Sendable {
    /// What a limit applies to.
    public enum Scope: Sendable, Hashable {
        case platform
        case user(String)
        case bot(String)
    }

    /// A call's hold on the budget until it is settled.
    public struct Reservation: Sendable {
        let day: Int
        let scopes: [Scope]
        let amount: FixedDecimal
    }

    public let limits: LLMLimits
    public let prices: LLMPrices
    private let ledger: any LLMUsageLedger
    private let clock: @Sendable () -> Int64
    private let totals = Mutex<[Key: Total]>([:])

    private struct Key: Hashable {
        var day: Int
        var scope: Scope
    }
    private struct Total {
        var spent: FixedDecimal
        var reserved: FixedDecimal
    }

    /// A budget over `ledger`; `clock` gives Unix milliseconds (the wall clock by default).
    public init(
        limits: LLMLimits, prices: LLMPrices, ledger: any LLMUsageLedger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.limits = limits
        self.prices = prices
        self.ledger = ledger
        self.clock = clock
    }

    /// Today, as days since 1970-01-01 (UTC).
    public var today: Int { Int(clock().floorDivided(by: 86_400_000)) }

    /// The worst cost of a call of `request` on `model`.
    public func worstCost(_ request: LLMRequest, model: String) throws(LLMError) -> FixedDecimal {
        guard let price = prices.price(model) else {
            throw LLMError(.notConfigured, "ai.prices has no price for \(model); add \(model)=INPUT/OUTPUT (dollars per million tokens)")
        }
        let input = LLMPrices.cost(tokens: request.promptCharacters / 3 + 16, perMillion: price.input)
        return input.plus(LLMPrices.cost(tokens: min(request.maxOutputTokens, limits.callTokens), perMillion: price.output))
    }

    /// Holds `amount` against the day's limits of `user`, `bot` (if any) and the platform, or
    /// refuses with `ai.budget_exhausted` naming the limit.
    public func reserve(_ amount: FixedDecimal, user: String, bot: String?) async throws(LLMError) -> Reservation {
        let day = today
        var scopes: [Scope] = [.platform, .user(user)]
        if let bot, !bot.isEmpty { scopes.append(.bot(bot)) }
        for scope in scopes where totals.withLock({ $0[Key(day: day, scope: scope)] == nil }) {
            let spent: FixedDecimal
            do { spent = try await ledger.spent(day: day, scope: scope) } catch {
                throw LLMError(.budgetExhausted, "the AI spend so far cannot be read (\(error)); model calls are refused until it can be")
            }
            totals.withLock { t in
                if t[Key(day: day, scope: scope)] == nil { t[Key(day: day, scope: scope)] = Total(spent: spent, reserved: .zero) }
                t = t.filter { $0.key.day >= day - 1 }  // yesterday's may still settle
            }
        }
        let refused: String? = totals.withLock { t in
            for scope in scopes {
                let total = t[Key(day: day, scope: scope)]!
                let limit = self.limit(scope)
                if total.spent.plus(total.reserved).plus(amount) > limit {
                    return "\(Self.name(scope)) daily AI budget of $\(limit) is spent ($\(total.spent) used\(total.reserved.isZero ? "" : ", $\(total.reserved) held by calls in flight"); this call could cost up to $\(amount)); it resets at 00:00 UTC"
                }
            }
            for scope in scopes { t[Key(day: day, scope: scope)]!.reserved = t[Key(day: day, scope: scope)]!.reserved.plus(amount) }
            return nil
        }
        if let refused { throw LLMError(.budgetExhausted, refused) }
        return Reservation(day: day, scopes: scopes, amount: amount)
    }

    /// Replaces `reservation` by the call's actual `cost` (at once: the next call is checked
    /// against it).
    public func settle(_ reservation: Reservation, cost: FixedDecimal) {
        totals.withLock { t in
            for scope in reservation.scopes {
                let key = Key(day: reservation.day, scope: scope)
                guard var total = t[key] else { continue }
                total.reserved = (try? total.reserved - reservation.amount) ?? .zero
                total.spent = total.spent.plus(cost)
                t[key] = total
            }
        }
    }

    /// Keeps a call's record in the ledger (what a restarted process reads its spend from).
    public func keep(_ record: LLMUsageRecord) async throws { try await ledger.record(record) }

    /// What `scope` has spent today, as this process counts it (settled calls only).
    public func spentToday(_ scope: Scope) -> FixedDecimal? { totals.withLock { $0[Key(day: today, scope: scope)]?.spent } }

    private func limit(_ scope: Scope) -> FixedDecimal {
        switch scope {
        case .platform: limits.platformDaily
        case .user: limits.userDaily
        case .bot: limits.botDaily
        }
    }

    private static func name(_ scope: Scope) -> String {
        switch scope {
        case .platform: "the platform's"
        case .user: "your"
        case .bot(let id): "bot \(id)'s"
        }
    }
}

extension LLMRequest {
    /// Characters the prompt holds (system, turns, tool definitions, schema): the basis of the
    /// worst-case input estimate.
    var promptCharacters: Int {
        var n = system.count + (responseSchema?.jsonText.count ?? 0)
        for tool in tools { n += tool.name.count + tool.description.count + tool.parameters.jsonText.count }
        for message in messages {
            for part in message.content {
                switch part {
                case .text(let t): n += t.count
                case .toolCall(let c): n += c.name.count + c.arguments.jsonText.count
                case .toolResult(_, _, let content, _): n += content.count
                }
            }
        }
        return n
    }
}

extension Int64 {
    fileprivate func floorDivided(by d: Int64) -> Int64 { self >= 0 ? self / d : (self - d + 1) / d }
}

/// A ledger in memory, for tests and tools.
public final class MemoryUsageLedger: LLMUsageLedger {
    private let records = Mutex<[LLMUsageRecord]>([])
    public init() {}
    /// Every record kept, oldest first.
    public var all: [LLMUsageRecord] { records.withLock { $0 } }

    public func spent(day: Int, scope: LLMBudget.Scope) async throws -> FixedDecimal {
        records.withLock { rs in
            rs.filter { r in
                guard Int(r.at / 86_400_000) == day else { return false }
                switch scope {
                case .platform: return true
                case .user(let u): return r.user == u
                case .bot(let b): return r.bot == b
                }
            }.reduce(FixedDecimal.zero) { $0.plus($1.cost) }
        }
    }

    public func record(_ record: LLMUsageRecord) async throws { records.withLock { $0.append(record) } }
}
