import Indicators
import Testing

@Suite("Indicator specs, parameters and column names")
struct SpecTests {
    @Test(
        "column names follow the documented scheme",
        arguments: [
            ("sma:20", ["sma_20"]),
            ("rsi", ["rsi_14"]),
            ("macd:12,26,9", ["macd_12_26_9_macd", "macd_12_26_9_signal", "macd_12_26_9_hist"]),
            ("bbands:20,2,2", ["bbands_20_2_2_upper", "bbands_20_2_2_middle", "bbands_20_2_2_lower"]),
            ("stoch:14,3,3", ["stoch_14_3_3_slowk", "stoch_14_3_3_slowd"]),
            ("aroon:14", ["aroon_14_down", "aroon_14_up"]),
            ("stochrsi:14,14,3", ["stochrsi_14_14_3_fastk", "stochrsi_14_14_3_fastd"]),
            ("sar:0.02,0.2", ["sar_0.02_0.2"]),
            ("SAR", ["sar_0.02_0.2"]),
            ("bbands:20,2,2,1", ["bbands_20_2_2_1_upper", "bbands_20_2_2_1_middle", "bbands_20_2_2_1_lower"]),
            ("obv", ["obv"]),
        ])
    func columnNames(text: String, expected: [String]) throws {
        #expect(try ConfiguredIndicator(parsing: text).columnNames == expected)
    }

    @Test(
        "bad specs are refused with a code and a message naming the problem",
        arguments: [
            ("nosuch:3", IndicatorError.Code.unknownIndicator, "nosuch"),
            ("rsi:abc", .badParameter, "abc"),
            ("rsi:1", .badParameter, "period"),
            ("rsi:14.5", .badParameter, "whole number"),
            ("rsi:14,3", .malformedSpec, "rsi takes 1"),
            ("bbands:20,2,2,7", .badParameter, "matype"),
            (":14", .malformedSpec, "no indicator name"),
            ("obv:1", .malformedSpec, "none"),
        ])
    func badSpecs(text: String, code: IndicatorError.Code, fragment: String) {
        #expect {
            try ConfiguredIndicator(parsing: text)
        } throws: { error in
            guard let error = error as? IndicatorError else { return false }
            return error.code == code && error.message.contains(fragment)
        }
    }

    @Test("catalogue names are unique and every output list matches the engine's width")
    func catalogueIsConsistent() throws {
        #expect(Set(IndicatorCatalog.all.map(\.name)).count == IndicatorCatalog.all.count)
        for definition in IndicatorCatalog.all {
            let indicator = try ConfiguredIndicator(IndicatorSpec(name: definition.name))
            #expect(indicator.makeEngine().width == definition.width, "\(definition.name)")
        }
    }
}
