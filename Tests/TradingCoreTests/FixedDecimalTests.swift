import Testing
import TradingCore

@Suite("Fixed-point decimals")
struct FixedDecimalTests {
    @Test("parsing and printing are exact", arguments: ["0", "1", "-1", "0.1", "123.45678901", "-0.00000001", "92233720368.54775807"])
    func roundTrip(text: String) throws {
        #expect(try FixedDecimal(parsing: text).description == text)
    }

    @Test("0.1 + 0.2 is exactly 0.3")
    func noBinaryFloatingPoint() throws {
        #expect(try FixedDecimal(parsing: "0.1") + FixedDecimal(parsing: "0.2") == FixedDecimal(parsing: "0.3"))
    }

    @Test("multiplication rounds half to even at the 8th digit")
    func multiplication() throws {
        #expect(try FixedDecimal(parsing: "65000.5") * FixedDecimal(parsing: "0.25") == FixedDecimal(parsing: "16250.125"))
        // 0.00000001 × 0.5 = 0.000000005 → ties to even → 0
        #expect(try FixedDecimal(parsing: "0.00000001") * FixedDecimal(parsing: "0.5") == .zero)
        #expect(try FixedDecimal(parsing: "0.00000003") * FixedDecimal(parsing: "0.5") == FixedDecimal(parsing: "0.00000002"))
        #expect(try FixedDecimal(parsing: "-2") * FixedDecimal(parsing: "1.5") == FixedDecimal(parsing: "-3"))
    }

    @Test("division is exact where it can be and rounds otherwise")
    func division() throws {
        #expect(try FixedDecimal(parsing: "10") / FixedDecimal(parsing: "4") == FixedDecimal(parsing: "2.5"))
        #expect(try FixedDecimal(parsing: "1") / FixedDecimal(parsing: "3") == FixedDecimal(parsing: "0.33333333"))
        #expect(try FixedDecimal(parsing: "2") / FixedDecimal(parsing: "3") == FixedDecimal(parsing: "0.66666667"))
        let error = #expect(throws: ArithmeticError.self) { try FixedDecimal.one / .zero }
        #expect(error?.code == .divisionByZero)
    }

    @Test("overflow is an error, never a wrap")
    func overflow() throws {
        let max = FixedDecimal(raw: .max)
        #expect(throws: ArithmeticError.self) { try max + .one }
        #expect(throws: ArithmeticError.self) { try FixedDecimal(raw: .min) - .one }
        #expect(throws: ArithmeticError.self) { try max * FixedDecimal(parsing: "2") }
        #expect(throws: ArithmeticError.self) { try -FixedDecimal(raw: .min) }
        #expect(throws: ArithmeticError.self) { try FixedDecimal(100_000_000_000) }
    }

    @Test("bad text is refused with a reason", arguments: ["", "-", "1.2.3", "1e5", "abc", "1.123456789", " 1", "1,5"])
    func badText(text: String) {
        #expect(throws: ArithmeticError.self) { try FixedDecimal(parsing: text) }
    }

    @Test("rounding to a tick or lot size")
    func increments() throws {
        let price = try FixedDecimal(parsing: "65000.537")
        #expect(try price.rounded(toMultipleOf: FixedDecimal(parsing: "0.01")) == FixedDecimal(parsing: "65000.53"))
        #expect(try price.rounded(toMultipleOf: FixedDecimal(parsing: "0.01"), rule: .toNearestOrAwayFromZero) == FixedDecimal(parsing: "65000.54"))
    }

    @Test("doubles convert to the nearest decimal; NaN and infinities are refused")
    func doubles() throws {
        #expect(try FixedDecimal(approximating: 0.1).description == "0.1")
        #expect(throws: ArithmeticError.self) { try FixedDecimal(approximating: .nan) }
        #expect(throws: ArithmeticError.self) { try FixedDecimal(approximating: 1e12) }
    }
}

@Suite("Symbols and timeframes")
struct SymbolTimeframeTests {
    @Test("canonical symbols are accepted", arguments: ["BTC/USDT", "EUR/USD", "AAPL", "BRK.B", "ES_F"])
    func goodSymbols(text: String) throws {
        #expect(try Symbol(text).value == text)
    }

    @Test("malformed symbols are refused", arguments: ["", "btc/usdt", "/BTC", "BTC/", "BTC USDT", "BTC\u{0}", String(repeating: "A", count: 33)])
    func badSymbols(text: String) {
        #expect(throws: TradingCoreError.self) { try Symbol(text) }
    }

    @Test("periods align to UTC boundaries, before 1970 too")
    func alignment() throws {
        let minute: Int64 = 60_000_000_000
        #expect(Timeframe.m5.periodStart(containing: 7 * minute + 5) == 5 * minute)
        #expect(Timeframe.h1.periodStart(containing: -1) == -60 * minute)
        #expect(Timeframe.d1.periodStart(containing: 1_700_000_000_000_000_000) == 1_699_920_000_000_000_000)
        #expect(try Timeframe(parsing: "4H") == .h4)
        #expect(throws: TradingCoreError.self) { try Timeframe(parsing: "2m") }
    }
}
