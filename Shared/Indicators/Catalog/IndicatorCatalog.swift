/// Every indicator Tradewind offers, by name, with TA-Lib's default parameters (as of the TA-Lib
/// release the golden files were made with; e.g. APO and PPO default to EMA there).
public enum IndicatorCatalog {
    public static let all: [IndicatorDefinition] = movingAverages + momentum + volatility + trend + volume + levels

    static let byName: [String: IndicatorDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func definition(named name: String) -> IndicatorDefinition? { byName[name.lowercased()] }

    private static let close: [IndicatorDefinition.Input] = [.close]
    private static let hl: [IndicatorDefinition.Input] = [.high, .low]
    private static let hlc: [IndicatorDefinition.Input] = [.high, .low, .close]
    private static let hlcv: [IndicatorDefinition.Input] = [.high, .low, .close, .volume]

    static let movingAverages: [IndicatorDefinition] = [
        IndicatorDefinition("sma", "Simple Moving Average", inputs: close, parameters: [.period(30)]) {
            (SMA(period: $0.int(0)))
        },
        IndicatorDefinition("ema", "Exponential Moving Average", inputs: close, parameters: [.period(30)]) {
            (EMA(period: $0.int(0)))
        },
        IndicatorDefinition("wma", "Weighted Moving Average", inputs: close, parameters: [.period(30)]) {
            (WMA(period: $0.int(0)))
        },
        IndicatorDefinition("dema", "Double Exponential Moving Average", inputs: close, parameters: [.period(30)]) {
            DEMA(period: $0.int(0))
        },
        IndicatorDefinition("tema", "Triple Exponential Moving Average", inputs: close, parameters: [.period(30)]) {
            TEMA(period: $0.int(0))
        },
        IndicatorDefinition("trima", "Triangular Moving Average", inputs: close, parameters: [.period(30)]) {
            TRIMA(period: $0.int(0))
        },
        IndicatorDefinition("kama", "Kaufman Adaptive Moving Average", inputs: close, parameters: [.period(30)]) {
            KAMA(period: $0.int(0))
        },
        IndicatorDefinition(
            "t3", "Triple Exponential Moving Average (T3)", inputs: close,
            parameters: [.period(5), .real("vfactor", 0.7, minimum: 0, maximum: 1)]
        ) { (T3(period: $0.int(0), volumeFactor: $0.real(1))) },
    ]

    static let momentum: [IndicatorDefinition] = [
        IndicatorDefinition(
            "macd", "Moving Average Convergence/Divergence", inputs: close,
            parameters: [.period("fast", 12), .period("slow", 26), .period("signal", 9, minimum: 1)],
            outputs: ["macd", "signal", "hist"]
        ) { (MACD(fast: $0.int(0), slow: $0.int(1), signal: $0.int(2))) },
        IndicatorDefinition(
            "macdext", "MACD with controllable MA types", inputs: close,
            parameters: [
                .period("fast", 12), .period("slow", 26), .period("signal", 9, minimum: 1),
                .movingAverageType("fast_matype"), .movingAverageType("slow_matype"),
                .movingAverageType("signal_matype"),
            ],
            outputs: ["macd", "signal", "hist"]
        ) {
            (
                MACDExtended(
                    fast: $0.int(0), fastType: $0.type(3), slow: $0.int(1), slowType: $0.type(4), signal: $0.int(2),
                    signalType: $0.type(5)))
        },
        IndicatorDefinition(
            "macdfix", "MACD Fix 12/26", inputs: close, parameters: [.period("signal", 9, minimum: 1)],
            outputs: ["macd", "signal", "hist"]
        ) { (MACD.fixed(signal: $0.int(0))) },
        IndicatorDefinition("rsi", "Relative Strength Index", inputs: close, parameters: [.period(14)]) {
            (GainLossOscillator(.rsi, period: $0.int(0)))
        },
        IndicatorDefinition("cmo", "Chande Momentum Oscillator", inputs: close, parameters: [.period(14)]) {
            (GainLossOscillator(.cmo, period: $0.int(0)))
        },
        IndicatorDefinition("mom", "Momentum", inputs: close, parameters: [.period(10, minimum: 1)]) {
            (RateOfChange(.momentum, period: $0.int(0)))
        },
        IndicatorDefinition(
            "roc", "Rate of change: ((price/prevPrice)-1)*100", inputs: close, parameters: [.period(10, minimum: 1)]
        ) { (RateOfChange(.percent, period: $0.int(0))) },
        IndicatorDefinition(
            "rocp", "Rate of change Percentage: (price-prevPrice)/prevPrice", inputs: close,
            parameters: [.period(10, minimum: 1)]
        ) { (RateOfChange(.fraction, period: $0.int(0))) },
        IndicatorDefinition(
            "rocr", "Rate of change ratio: (price/prevPrice)", inputs: close, parameters: [.period(10, minimum: 1)]
        ) { (RateOfChange(.ratio, period: $0.int(0))) },
        IndicatorDefinition(
            "trix", "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA", inputs: close,
            parameters: [.period(30, minimum: 1)]
        ) { (TRIX(period: $0.int(0))) },
        IndicatorDefinition(
            "apo", "Absolute Price Oscillator", inputs: close,
            parameters: [.period("fast", 12), .period("slow", 26), .movingAverageType("matype", .ema)]
        ) { (PriceOscillator(.absolute, fast: $0.int(0), slow: $0.int(1), type: $0.type(2))) },
        IndicatorDefinition(
            "ppo", "Percentage Price Oscillator", inputs: close,
            parameters: [.period("fast", 12), .period("slow", 26), .movingAverageType("matype", .ema)]
        ) { (PriceOscillator(.percentage, fast: $0.int(0), slow: $0.int(1), type: $0.type(2))) },
        IndicatorDefinition(
            "stoch", "Stochastic", inputs: hlc,
            parameters: [
                .period("fastk", 5, minimum: 1), .period("slowk", 3, minimum: 1), .period("slowd", 3, minimum: 1),
                .movingAverageType("slowk_matype"), .movingAverageType("slowd_matype"),
            ],
            outputs: ["slowk", "slowd"]
        ) {
            (
                Stochastic(
                    fastK: $0.int(0), slowK: $0.int(1), slowKType: $0.type(3), slowD: $0.int(2), slowDType: $0.type(4)))
        },
        IndicatorDefinition(
            "stochf", "Stochastic Fast", inputs: hlc,
            parameters: [.period("fastk", 5, minimum: 1), .period("fastd", 3, minimum: 1), .movingAverageType("fastd_matype")],
            outputs: ["fastk", "fastd"]
        ) { (FastStochastic(fastK: $0.int(0), fastD: $0.int(1), type: $0.type(2))) },
        IndicatorDefinition(
            "stochrsi", "Stochastic Relative Strength Index", inputs: close,
            parameters: [
                .period(14), .period("fastk", 5, minimum: 1), .period("fastd", 3, minimum: 1),
                .movingAverageType("fastd_matype"),
            ],
            outputs: ["fastk", "fastd"]
        ) { (StochasticRSI(period: $0.int(0), fastK: $0.int(1), fastD: $0.int(2), type: $0.type(3))) },
        IndicatorDefinition("willr", "Williams' %R", inputs: hlc, parameters: [.period(14)]) {
            (WilliamsR(period: $0.int(0)))
        },
        IndicatorDefinition("cci", "Commodity Channel Index", inputs: hlc, parameters: [.period(14)]) {
            (CCI(period: $0.int(0)))
        },
        IndicatorDefinition(
            "ultosc", "Ultimate Oscillator", inputs: hlc,
            parameters: [.period("period1", 7, minimum: 1), .period("period2", 14, minimum: 1), .period("period3", 28, minimum: 1)]
        ) { (UltimateOscillator(period1: $0.int(0), period2: $0.int(1), period3: $0.int(2))) },
        IndicatorDefinition("aroon", "Aroon", inputs: hl, parameters: [.period(14)], outputs: ["down", "up"]) {
            (Aroon(period: $0.int(0)))
        },
        IndicatorDefinition("aroonosc", "Aroon Oscillator", inputs: hl, parameters: [.period(14)]) {
            (AroonOscillator(period: $0.int(0)))
        },
        IndicatorDefinition("bop", "Balance Of Power", inputs: [.open, .high, .low, .close]) {
            _ in (BalanceOfPower())
        },
        IndicatorDefinition("mfi", "Money Flow Index", inputs: hlcv, parameters: [.period(14)]) {
            (MoneyFlowIndex(period: $0.int(0)))
        },
    ]

    static let volatility: [IndicatorDefinition] = [
        IndicatorDefinition(
            "bbands", "Bollinger Bands", inputs: close,
            parameters: [
                .period(20), .real("nbdevup", 2, minimum: -3e37, maximum: 3e37),
                .real("nbdevdn", 2, minimum: -3e37, maximum: 3e37), .movingAverageType(),
            ],
            outputs: ["upper", "middle", "lower"]
        ) { (BollingerBands(period: $0.int(0), up: $0.real(1), down: $0.real(2), type: $0.type(3))) },
        IndicatorDefinition(
            "stddev", "Standard Deviation", inputs: close,
            parameters: [.period(5), .real("nbdev", 1, minimum: -3e37, maximum: 3e37)]
        ) { (StandardDeviation(period: $0.int(0), deviations: $0.real(1))) },
        IndicatorDefinition("var", "Variance", inputs: close, parameters: [.period(5, minimum: 1)]) {
            (Variance(period: $0.int(0)))
        },
        IndicatorDefinition("trange", "True Range", inputs: hlc) { _ in (TrueRange()) },
        IndicatorDefinition("atr", "Average True Range", inputs: hlc, parameters: [.period(14, minimum: 1)]) {
            (AverageTrueRange(period: $0.int(0)))
        },
        IndicatorDefinition("natr", "Normalized Average True Range", inputs: hlc, parameters: [.period(14, minimum: 1)]) {
            (AverageTrueRange(period: $0.int(0), normalized: true))
        },
    ]

    static let trend: [IndicatorDefinition] = [
        IndicatorDefinition("adx", "Average Directional Movement Index", inputs: hlc, parameters: [.period(14)]) {
            (AverageDirectionalIndex(period: $0.int(0)))
        },
        IndicatorDefinition(
            "adxr", "Average Directional Movement Index Rating", inputs: hlc, parameters: [.period(14)]
        ) { (AverageDirectionalIndexRating(period: $0.int(0))) },
        IndicatorDefinition("dx", "Directional Movement Index", inputs: hlc, parameters: [.period(14)]) {
            (DirectionalIndex(period: $0.int(0)))
        },
        IndicatorDefinition("plus_di", "Plus Directional Indicator", inputs: hlc, parameters: [.period(14)]) {
            (DirectionalIndicator(.plus, period: $0.int(0)))
        },
        IndicatorDefinition("minus_di", "Minus Directional Indicator", inputs: hlc, parameters: [.period(14)]) {
            (DirectionalIndicator(.minus, period: $0.int(0)))
        },
        IndicatorDefinition("plus_dm", "Plus Directional Movement", inputs: hl, parameters: [.period(14)]) {
            (DirectionalMovementSum(.plus, period: $0.int(0)))
        },
        IndicatorDefinition("minus_dm", "Minus Directional Movement", inputs: hl, parameters: [.period(14)]) {
            (DirectionalMovementSum(.minus, period: $0.int(0)))
        },
        IndicatorDefinition(
            "sar", "Parabolic SAR", inputs: hl,
            parameters: [
                .real("acceleration", 0.02, minimum: 0, maximum: 3e37), .real("maximum", 0.2, minimum: 0, maximum: 3e37),
            ]
        ) { (ParabolicSAR(acceleration: $0.real(0), maximum: $0.real(1))) },
        IndicatorDefinition("midpoint", "MidPoint over period", inputs: close, parameters: [.period(14)]) {
            (MidPoint(period: $0.int(0)))
        },
        IndicatorDefinition("midprice", "Midpoint Price over period", inputs: hl, parameters: [.period(14)]) {
            (MidPrice(period: $0.int(0)))
        },
        IndicatorDefinition("linearreg", "Linear Regression", inputs: close, parameters: [.period(14)]) {
            (LinearRegression(.value, period: $0.int(0)))
        },
        IndicatorDefinition(
            "linearreg_slope", "Linear Regression Slope", inputs: close, parameters: [.period(14)]
        ) { (LinearRegression(.slope, period: $0.int(0))) },
        IndicatorDefinition(
            "linearreg_intercept", "Linear Regression Intercept", inputs: close, parameters: [.period(14)]
        ) { (LinearRegression(.intercept, period: $0.int(0))) },
        IndicatorDefinition(
            "linearreg_angle", "Linear Regression Angle", inputs: close, parameters: [.period(14)]
        ) { (LinearRegression(.angle, period: $0.int(0))) },
        IndicatorDefinition("tsf", "Time Series Forecast", inputs: close, parameters: [.period(14)]) {
            (LinearRegression(.forecast, period: $0.int(0)))
        },
    ]

    static let volume: [IndicatorDefinition] = [
        IndicatorDefinition("obv", "On Balance Volume", inputs: [.close, .volume]) { _ in (OnBalanceVolume()) },
        IndicatorDefinition("ad", "Chaikin A/D Line", inputs: hlcv) { _ in (AccumulationDistribution()) },
        IndicatorDefinition(
            "adosc", "Chaikin A/D Oscillator", inputs: hlcv,
            parameters: [.period("fast", 3), .period("slow", 10)]
        ) { (ChaikinOscillator(fast: $0.int(0), slow: $0.int(1))) },
        IndicatorDefinition(
            "vwap", "Volume Weighted Average Price (0 = since the first bar)", inputs: hlcv,
            parameters: [.period(0, minimum: 0)]
        ) { (VWAP(period: $0.int(0))) },
    ]

    private static let pivotOutputs = ["pivot", "r1", "r2", "r3", "s1", "s2", "s3"]

    static let levels: [IndicatorDefinition] = [
        IndicatorDefinition("pivots", "Classic Pivot Points (from the previous bar)", inputs: hlc, outputs: pivotOutputs) {
            _ in (PivotPoints(.classic))
        },
        IndicatorDefinition(
            "pivots_fibonacci", "Fibonacci Pivot Points (from the previous bar)", inputs: hlc, outputs: pivotOutputs
        ) { _ in (PivotPoints(.fibonacci)) },
        IndicatorDefinition(
            "pivots_camarilla", "Camarilla Pivot Points (from the previous bar)", inputs: hlc,
            outputs: ["pivot", "r1", "r2", "r3", "r4", "s1", "s2", "s3", "s4"]
        ) { _ in (CamarillaPivotPoints()) },
    ]
}
