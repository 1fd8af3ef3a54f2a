import Indicators
import Testing

@Suite("Indicators against TA-Lib's golden files")
struct GoldenTests {
    @Test("every indicator and parameter set matches TA-Lib", arguments: GoldenFile.datasets)
    func matchesTALib(dataset: String) throws {
        let golden = try GoldenFile(dataset: dataset)
        let priceScale = golden.columns["close"]!.map(abs).max() ?? 0
        var checked = 0
        for text in try GoldenFile.cases() {
            let indicator = try ConfiguredIndicator(parsing: text)
            let outputs = indicator.compute(golden.series)
            for (name, ours) in zip(indicator.columnNames, outputs) {
                let reference = try #require(golden.columns[name], "golden file has no column \(name) for \(text)")
                let bound = GoldenFile.knownDifferences.first { name.hasPrefix($0.key) }?.value ?? 1e-9
                if let mismatch = firstMismatch(ours, reference, priceScale: priceScale, relative: bound) {
                    Issue.record("\(dataset) \(name): \(mismatch)")
                }
                checked += 1
            }
        }
        #expect(checked >= 190)
    }

    @Test("the first value comes after exactly `lookback` bars")
    func lookbackMatchesFirstValue() throws {
        let golden = try GoldenFile(dataset: "synthetic")
        for text in try GoldenFile.cases() {
            let indicator = try ConfiguredIndicator(parsing: text)
            let first = golden.columns[indicator.columnNames[0]]!.firstIndex { !$0.isNaN }
            #expect(first == indicator.lookback, "\(text)")
        }
    }

    @Test("the catalogue offers at least the 45 indicators the platform promises, all covered by golden cases")
    func catalogueIsCovered() throws {
        let covered = Set(try GoldenFile.cases().map { try ConfiguredIndicator(parsing: $0).definition.name })
        let offered = Set(IndicatorCatalog.all.map(\.name))
        #expect(offered.count >= 45)
        #expect(offered == covered)
    }
}
