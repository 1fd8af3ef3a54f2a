import Foundation
import RPC
import TradingCore

/// What each model costs, in US dollars per million tokens, from configuration
/// (`ai.prices = "gpt-4o-mini=0.15/0.60; claude-sonnet-4-5=3/15"`: input/output). Costs are
/// exact decimals (the platform's one money type), rounded up to 10⁻⁸ dollars.
public struct LLMPrices: Sendable, Hashable {
    /// One model's prices per million tokens.
    public struct Price: Sendable, Hashable {
        public var input: FixedDecimal
        public var output: FixedDecimal
    }

    /// Prices by model.
    public private(set) var perMillion: [String: Price]

    /// No prices.
    public init() { perMillion = [:] }

    /// Reads `text`; a malformed entry is refused with what was wrong and how to write it.
    public init(parsing text: String) throws(LLMError) {
        perMillion = [:]
        for entry in text.split(separator: ";") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let sides = trimmed.split(separator: "=", maxSplits: 1)
            let prices = sides.count == 2 ? sides[1].split(separator: "/") : []
            guard sides.count == 2, prices.count == 2, let input = try? FixedDecimal(parsing: prices[0].trimmingCharacters(in: .whitespaces)),
                let output = try? FixedDecimal(parsing: prices[1].trimmingCharacters(in: .whitespaces)), !input.isNegative, !output.isNegative
            else {
                throw LLMError(
                    .notConfigured, "ai.prices entry \"\(trimmed.prefix(60))\" must be MODEL=INPUT/OUTPUT in US dollars per million tokens, e.g. gpt-4o-mini=0.15/0.60")
            }
            perMillion[sides[0].trimmingCharacters(in: .whitespaces)] = Price(input: input, output: output)
        }
    }

    /// The cost of `usage` on `model`; nil when the table has no price for it.
    public func cost(_ usage: LLMUsage, model: String) -> FixedDecimal? {
        guard let p = price(model) else { return nil }
        return Self.cost(tokens: usage.inputTokens, perMillion: p.input).plus(Self.cost(tokens: usage.outputTokens, perMillion: p.output))
    }

    /// The price of `model`, or of the longest configured name it starts with (providers answer
    /// `gpt-4o-mini-2024-07-18` for `gpt-4o-mini`).
    public func price(_ model: String) -> Price? {
        if let p = perMillion[model] { return p }
        return perMillion.keys.filter { model.hasPrefix($0) }.max(by: { $0.count < $1.count }).flatMap { perMillion[$0] }
    }

    static func cost(tokens: Int, perMillion price: FixedDecimal) -> FixedDecimal {
        guard tokens > 0, let n = try? FixedDecimal(tokens),
            let total = try? n.multiplied(by: price, rounding: .up).divided(by: FixedDecimal(1_000_000), rounding: .up)
        else { return tokens > 0 ? FixedDecimal(raw: .max) : .zero }
        return total
    }
}

extension FixedDecimal {
    /// The sum, saturating at the largest value (a cost that large is over any budget anyway).
    public func plus(_ other: FixedDecimal) -> FixedDecimal { (try? self + other) ?? FixedDecimal(raw: .max) }
}
