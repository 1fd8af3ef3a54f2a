import Foundation
import Strategies
import Testing
import TradingCore

/// What a person sees when a Pine script is wrong or uses what Tradewind does not run: the line and
/// column, the offending text and a fix where one is clear. And a fuzzed corpus of broken scripts
/// that must end in errors, never a crash or a hang.
@Suite struct PineErrorTests {
    static let header = "//@version=6\nstrategy(\"t\")\n"

    /// The error `source` compiles to (fails the test if it compiles).
    static func error(_ body: String, header: String = header) -> PineDiagnostic? {
        do {
            _ = try PineCompiler.compile(header + body)
            Issue.record("compiled, but should not: \(body)")
            return nil
        } catch {
            return error
        }
    }

    @Test("an unknown function names the nearest built-ins")
    func unknownFunction() throws {
        let e = try #require(Self.error("x = 1\ny = 2\nz = ta.smma(close, 10)\nif z > 0\n    strategy.entry(\"L\", strategy.long)\n"))
        #expect(e.description == "5:5 ta.smma is not a Pine function; did you mean ta.sma or ta.rma?")
        #expect(e.code == .unknownName)
        #expect(e.text == "ta.smma")
    }

    @Test("a name declared twice says where it was first")
    func declaredTwice() throws {
        let e = try #require(Self.error("x = close\nx = open\n"))
        #expect(e.description.hasPrefix("4:1 'x' is declared twice"))
        #expect(e.message.contains("first at 3:1"))
        #expect(e.message.contains(":="))
    }

    @Test("a series where a simple int is required names the argument")
    func seriesLength() throws {
        let e = try #require(Self.error("m = ta.sma(close, bar_index)\n"))
        #expect(e.description == "3:19 cannot use series int where simple int is required (length of ta.sma)")
        let f = try #require(Self.error("m = ta.ema(close, close)\n"))
        #expect(f.message == "cannot use series float where simple int is required (length of ta.ema)")
    }

    @Test("refusals name the construct, the line and why", arguments: [
        ("x = request.security(\"AAPL\", \"D\", close)\n", "3:5", "request.security"),
        ("a = array.new_float(3)\n", "3:5", "arrays are not supported"),
        ("while close > open\n    x = 1\n", "3:1", "while loops are not supported"),
        ("strategy.risk.max_drawdown(10, strategy.percent_of_equity)\n", "3:1", "strategy.risk"),
        ("label.new(bar_index, high, \"x\")\n", "3:1", "drawings"),
        ("t = time_close\n", "3:5", "time_close is not supported"),
        ("type Point\n    float x\n", "3:1", "user-defined types"),
    ])
    func refused(body: String, at: String, says: String) throws {
        let e = try #require(Self.error(body))
        #expect(e.description.hasPrefix(at), "\(e)")
        #expect(e.message.contains(says), "\(e)")
        #expect(e.code == .unsupported || e.code == .syntax, "\(e)")
    }

    @Test("other mistakes each get a located, actionable message", arguments: [
        ("if close > open\nstrategy.entry(\"L\", strategy.long)\n", "4:1", "needs a block"),
        ("x = (close + open\n", "3:5", "never closed"),
        ("y := close\n", "3:1", "'y' is not declared"),
        ("x = close +\n", "4:1", "expected a value"),
        ("x = na\n", "3:1", "has no type"),
        ("if close\n    strategy.entry(\"L\", strategy.long)\n", "3:4", "cannot use series float where bool is required"),
        ("f(x) => f(x)\ny = f(1)\n", "3:9", "recursion"),
        ("x = ta.sma(close, 10, 3)\n", "3:23", "at most 2 arguments"),
        ("x = ta.sma(close, lenght = 10)\n", "3:28", "did you mean \"length\"?"),
        ("strategy.entry(\"L\", strategy.long)\nstrategy.close(\"Lo\")\n", "4:1", "did you mean \"L\"?"),
        ("for i = 0 to bar_index\n    x = 1\n", "3:14", "known before the script runs"),
        ("x = close ? 1 : 2\n", "3:5", "where bool is required"),
        ("l = input.int(10, minval = 20)\n", "3:15", "outside minval"),
        ("m = input.string(\"EMA\", options = [\"SMA\", \"EMA\"])\nif m == \"WMA\"\n    strategy.entry(\"L\", strategy.long)\n", "4:4", "not one of the input's options"),
    ])
    func mistakes(body: String, at: String, says: String) throws {
        let e = try #require(Self.error(body))
        #expect(e.description.hasPrefix(at), "\(e)")
        #expect(e.message.contains(says), "\(e)")
    }

    @Test("scripts that are not strategies are refused for bots")
    func notStrategies() throws {
        let indicator = try #require(Self.error("plot(close)\n", header: "//@version=5\nindicator(\"i\")\n"))
        #expect(indicator.code == .notAStrategy)
        #expect(indicator.message.contains("indicator() script"))
        let noEntry = try #require(Self.error("x = close\n"))
        #expect(noEntry.code == .notAStrategy)
        let noVersion = try #require(Self.error("strategy(\"t\")\n", header: ""))
        #expect(noVersion.code == .version)
        let old = try #require(Self.error("strategy(\"t\")\n", header: "//@version=4\n"))
        #expect(old.description.hasPrefix("1:1 Pine v4 is not supported"))
    }

    @Test("warnings: ignored display calls, varip, conditional ta calls")
    func warnings() throws {
        let compiled = try PineCompiler.compile(
            Self.header + "varip int n = 0\nplot(close)\nif close > open\n    x = ta.sma(close, 5)\n    strategy.entry(\"L\", strategy.long)\n")
        let texts = compiled.warnings.map(\.message)
        #expect(texts.contains { $0.contains("varip is read as var") })
        #expect(texts.contains { $0.contains("plot is a display call") })
        #expect(texts.contains { $0.contains("computes it on every bar") })
        #expect(compiled.warnings.allSatisfy { $0.code == .warning })
    }

    @Test("a fuzzed corpus of broken scripts ends in errors, never a crash or a hang")
    func fuzz() throws {
        let sources = try PineCorpusTests.names.map { try PineCorpusTests.source($0) }
        let fragments = [
            "(", ")", "[", "]", ":=", "=", "if", "else", "for", "=>", "?", ":", ",", "\n", "\n    ", "\n  ", "na", "ta.sma(", "strategy.entry(",
            "var", "\"", "'", "#ff", "1e999", "-", "not", "and", "switch", "break", "x[", "close[", "0", "99999", ".", "//", "@",
        ]
        var rng = SplitMix64(seed: 21)
        var errors = 0, compiled = 0
        for k in 0..<400 {
            var text = Array(sources[k % sources.count].unicodeScalars)
            switch rng.next() % 4 {
            case 0: text = Array(text.prefix(Int(rng.next() % UInt64(text.count))))
            case 1:
                for _ in 0..<(1 + rng.next() % 3) {
                    let at = Int(rng.next() % UInt64(text.count + 1))
                    text.insert(contentsOf: fragments[Int(rng.next() % UInt64(fragments.count))].unicodeScalars, at: at)
                }
            case 2:
                let at = Int(rng.next() % UInt64(max(1, text.count - 8)))
                text.removeSubrange(at..<min(text.count, at + 1 + Int(rng.next() % 8)))
            default:
                if text.count > 2 {
                    let a = Int(rng.next() % UInt64(text.count)), b = Int(rng.next() % UInt64(text.count))
                    text.swapAt(a, b)
                }
            }
            var s = String.UnicodeScalarView()
            s.append(contentsOf: text)
            do {
                _ = try PineCompiler.compile(String(s))
                compiled += 1
            } catch {
                errors += 1
                #expect(error.location.line >= 1 && error.location.column >= 1)
                #expect(!error.message.isEmpty)
            }
        }
        #expect(errors > 200, "most mutants should be refused (\(errors) were, \(compiled) compiled)")
    }
}
