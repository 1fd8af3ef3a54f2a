#!/usr/bin/env python3
"""Times TA-Lib's C functions (through the PyPI wheel) on the bars `tradewind bench indicators
--write-bars` wrote, and prints a JSON object of ns/bar by our indicator name. The Python call costs
a few microseconds per million-bar call, far below the figures.

`--best FILE...` instead merges several rounds of `tradewind bench indicators --talib` output: the
best (lowest) of each figure on each side, the ratios recomputed between those bests."""
import json
import sys
import time


def best_of_rounds(paths):
    best, order = {}, []
    for path in paths:
        for line in open(path):
            figures = json.loads(line)
            name = figures["bench"]
            if name == "indicators.summary":
                continue
            if name not in best:
                best[name] = figures
                order.append(name)
                continue
            for key in ("batch_ns_per_bar", "stream_ns_per_bar", "engine_ns_per_bar", "talib_ns_per_bar"):
                if key in figures:
                    best[name][key] = min(best[name][key], figures[key])
    worst = 0.0
    for name in order:
        figures = best[name]
        figures["stream_vs_batch"] = round(figures["stream_ns_per_bar"] / figures["batch_ns_per_bar"], 3)
        if "talib_ns_per_bar" in figures:
            figures["batch_vs_talib"] = round(figures["batch_ns_per_bar"] / figures["talib_ns_per_bar"], 3)
            worst = max(worst, figures["batch_vs_talib"])
        print(json.dumps(figures, separators=(",", ":")))
    print(json.dumps({"bench": "indicators.summary", "rounds": len(paths), "worst_batch_vs_talib": worst},
                     separators=(",", ":")))


if sys.argv[1] == "--best":
    best_of_rounds(sys.argv[2:])
    sys.exit(0)

import numpy as np  # noqa: E402 (only the timing mode needs TA-Lib)
import talib  # noqa: E402

data = np.fromfile(sys.argv[1], dtype="<f8").reshape(5, -1)
o, h, l, c, v = (np.ascontiguousarray(x) for x in data)
n = len(c)
calls = {
    "sma": lambda: talib.SMA(c, 30), "ema": lambda: talib.EMA(c, 30), "wma": lambda: talib.WMA(c, 30),
    "dema": lambda: talib.DEMA(c, 30), "tema": lambda: talib.TEMA(c, 30), "trima": lambda: talib.TRIMA(c, 30),
    "kama": lambda: talib.KAMA(c, 30), "t3": lambda: talib.T3(c, 5, 0.7), "macd": lambda: talib.MACD(c, 12, 26, 9),
    "macdext": lambda: talib.MACDEXT(c, 12, 0, 26, 0, 9, 0), "macdfix": lambda: talib.MACDFIX(c, 9),
    "rsi": lambda: talib.RSI(c, 14), "cmo": lambda: talib.CMO(c, 14), "mom": lambda: talib.MOM(c, 10),
    "roc": lambda: talib.ROC(c, 10), "rocp": lambda: talib.ROCP(c, 10), "rocr": lambda: talib.ROCR(c, 10),
    "trix": lambda: talib.TRIX(c, 30), "apo": lambda: talib.APO(c, 12, 26, 1), "ppo": lambda: talib.PPO(c, 12, 26, 1),
    "stoch": lambda: talib.STOCH(h, l, c, 5, 3, 0, 3, 0), "stochf": lambda: talib.STOCHF(h, l, c, 5, 3, 0),
    "stochrsi": lambda: talib.STOCHRSI(c, 14, 5, 3, 0), "willr": lambda: talib.WILLR(h, l, c, 14),
    "cci": lambda: talib.CCI(h, l, c, 14), "ultosc": lambda: talib.ULTOSC(h, l, c, 7, 14, 28),
    "aroon": lambda: talib.AROON(h, l, 14), "aroonosc": lambda: talib.AROONOSC(h, l, 14),
    "bop": lambda: talib.BOP(o, h, l, c), "mfi": lambda: talib.MFI(h, l, c, v, 14),
    "bbands": lambda: talib.BBANDS(c, 20, 2, 2, 0), "stddev": lambda: talib.STDDEV(c, 5, 1),
    "var": lambda: talib.VAR(c, 5, 1), "trange": lambda: talib.TRANGE(h, l, c), "atr": lambda: talib.ATR(h, l, c, 14),
    "natr": lambda: talib.NATR(h, l, c, 14), "adx": lambda: talib.ADX(h, l, c, 14), "adxr": lambda: talib.ADXR(h, l, c, 14),
    "dx": lambda: talib.DX(h, l, c, 14), "plus_di": lambda: talib.PLUS_DI(h, l, c, 14),
    "minus_di": lambda: talib.MINUS_DI(h, l, c, 14), "plus_dm": lambda: talib.PLUS_DM(h, l, 14),
    "minus_dm": lambda: talib.MINUS_DM(h, l, 14), "sar": lambda: talib.SAR(h, l, 0.02, 0.2),
    "midpoint": lambda: talib.MIDPOINT(c, 14), "midprice": lambda: talib.MIDPRICE(h, l, 14),
    "linearreg": lambda: talib.LINEARREG(c, 14), "linearreg_slope": lambda: talib.LINEARREG_SLOPE(c, 14),
    "linearreg_intercept": lambda: talib.LINEARREG_INTERCEPT(c, 14),
    "linearreg_angle": lambda: talib.LINEARREG_ANGLE(c, 14), "tsf": lambda: talib.TSF(c, 14),
    "obv": lambda: talib.OBV(c, v), "ad": lambda: talib.AD(h, l, c, v), "adosc": lambda: talib.ADOSC(h, l, c, v, 3, 10),
}
figures = {}
for name, call in calls.items():
    call()
    runs = []
    for _ in range(3):
        start = time.perf_counter_ns()
        call()
        runs.append(time.perf_counter_ns() - start)
    figures[name] = min(runs) / n
print(json.dumps(figures))
