#!/usr/bin/env python3
"""Writes the TA-Lib golden files the Indicators tests compare against.

Runs the real TA-Lib (the PyPI wheel bundles the C library) on seeded synthetic OHLCV and on edge
cases, for every indicator in the catalogue and several parameter sets. Output, committed:
  Tests/IndicatorsTests/Golden/cases.txt      one indicator spec per line, CLI syntax (rsi:14)
  Tests/IndicatorsTests/Golden/<dataset>.csv  open,high,low,close,volume (exact), then one column per
                                               output (11 significant digits), named as `tradewind
                                               indicators` names them; empty = no value
VWAP and pivot points are not in TA-Lib: they are computed here from their documented formulas.

Run through scripts/indicators-golden.sh, which pins the versions below in a private venv.
"""
import csv
import math
import os
import sys

import numpy as np
import talib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "IndicatorsTests", "Golden")

# name -> (TA-Lib function, inputs, [TA-Lib keyword per parameter, in our order], outputs, count of
# non-MA-type parameters). Outputs name TA-Lib's outputs in our order with our names.
C, HL, HLC, HLCV = ["close"], ["high", "low"], ["high", "low", "close"], ["high", "low", "close", "volume"]
MA = ["timeperiod"]
CATALOG = {
    "sma": ("SMA", C, MA, None), "ema": ("EMA", C, MA, None), "wma": ("WMA", C, MA, None),
    "dema": ("DEMA", C, MA, None), "tema": ("TEMA", C, MA, None), "trima": ("TRIMA", C, MA, None),
    "kama": ("KAMA", C, MA, None), "t3": ("T3", C, ["timeperiod", "vfactor"], None),
    "macd": ("MACD", C, ["fastperiod", "slowperiod", "signalperiod"], ["macd", "signal", "hist"]),
    "macdext": ("MACDEXT", C, ["fastperiod", "slowperiod", "signalperiod", "fastmatype", "slowmatype", "signalmatype"],
                ["macd", "signal", "hist"]),
    "macdfix": ("MACDFIX", C, ["signalperiod"], ["macd", "signal", "hist"]),
    "rsi": ("RSI", C, MA, None), "cmo": ("CMO", C, MA, None), "mom": ("MOM", C, MA, None),
    "roc": ("ROC", C, MA, None), "rocp": ("ROCP", C, MA, None), "rocr": ("ROCR", C, MA, None),
    "trix": ("TRIX", C, MA, None),
    "apo": ("APO", C, ["fastperiod", "slowperiod", "matype"], None),
    "ppo": ("PPO", C, ["fastperiod", "slowperiod", "matype"], None),
    "stoch": ("STOCH", HLC, ["fastk_period", "slowk_period", "slowd_period", "slowk_matype", "slowd_matype"],
              ["slowk", "slowd"]),
    "stochf": ("STOCHF", HLC, ["fastk_period", "fastd_period", "fastd_matype"], ["fastk", "fastd"]),
    "stochrsi": ("STOCHRSI", C, ["timeperiod", "fastk_period", "fastd_period", "fastd_matype"], ["fastk", "fastd"]),
    "willr": ("WILLR", HLC, MA, None), "cci": ("CCI", HLC, MA, None),
    "ultosc": ("ULTOSC", HLC, ["timeperiod1", "timeperiod2", "timeperiod3"], None),
    "aroon": ("AROON", HL, MA, ["down", "up"]), "aroonosc": ("AROONOSC", HL, MA, None),
    "bop": ("BOP", ["open", "high", "low", "close"], [], None), "mfi": ("MFI", HLCV, MA, None),
    "bbands": ("BBANDS", C, ["timeperiod", "nbdevup", "nbdevdn", "matype"], ["upper", "middle", "lower"]),
    "stddev": ("STDDEV", C, ["timeperiod", "nbdev"], None), "var": ("VAR", C, MA, None),
    "trange": ("TRANGE", HLC, [], None), "atr": ("ATR", HLC, MA, None), "natr": ("NATR", HLC, MA, None),
    "adx": ("ADX", HLC, MA, None), "adxr": ("ADXR", HLC, MA, None), "dx": ("DX", HLC, MA, None),
    "plus_di": ("PLUS_DI", HLC, MA, None), "minus_di": ("MINUS_DI", HLC, MA, None),
    "plus_dm": ("PLUS_DM", HL, MA, None), "minus_dm": ("MINUS_DM", HL, MA, None),
    "sar": ("SAR", HL, ["acceleration", "maximum"], None),
    "midpoint": ("MIDPOINT", C, MA, None), "midprice": ("MIDPRICE", HL, MA, None),
    "linearreg": ("LINEARREG", C, MA, None), "linearreg_slope": ("LINEARREG_SLOPE", C, MA, None),
    "linearreg_intercept": ("LINEARREG_INTERCEPT", C, MA, None),
    "linearreg_angle": ("LINEARREG_ANGLE", C, MA, None), "tsf": ("TSF", C, MA, None),
    "obv": ("OBV", ["close", "volume"], [], None), "ad": ("AD", HLCV, [], None),
    "adosc": ("ADOSC", HLCV, ["fastperiod", "slowperiod"], None),
}
MA_TYPE_KEYWORDS = {"matype", "fastmatype", "slowmatype", "signalmatype", "slowk_matype", "slowd_matype", "fastd_matype"}
MA_TYPES = [0, 1, 2, 3, 4, 5, 6, 8]  # MAMA (7) is not offered

# Defaults as the catalogue states them (TA-Lib's, for this wheel).
DEFAULTS = {
    "sma": [30], "ema": [30], "wma": [30], "dema": [30], "tema": [30], "trima": [30], "kama": [30], "t3": [5, 0.7],
    "macd": [12, 26, 9], "macdext": [12, 26, 9, 0, 0, 0], "macdfix": [9], "rsi": [14], "cmo": [14], "mom": [10],
    "roc": [10], "rocp": [10], "rocr": [10], "trix": [30], "apo": [12, 26, 1], "ppo": [12, 26, 1],
    "stoch": [5, 3, 3, 0, 0], "stochf": [5, 3, 0], "stochrsi": [14, 5, 3, 0], "willr": [14], "cci": [14],
    "ultosc": [7, 14, 28], "aroon": [14], "aroonosc": [14], "bop": [], "mfi": [14], "bbands": [20, 2, 2, 0],
    "stddev": [5, 1], "var": [5], "trange": [], "atr": [14], "natr": [14], "adx": [14], "adxr": [14], "dx": [14],
    "plus_di": [14], "minus_di": [14], "plus_dm": [14], "minus_dm": [14], "sar": [0.02, 0.2], "midpoint": [14],
    "midprice": [14], "linearreg": [14], "linearreg_slope": [14], "linearreg_intercept": [14],
    "linearreg_angle": [14], "tsf": [14], "obv": [], "ad": [], "adosc": [3, 10],
    "vwap": [0], "pivots": [], "pivots_fibonacci": [], "pivots_camarilla": [],
}
PIVOT_OUTPUTS = ["pivot", "r1", "r2", "r3", "s1", "s2", "s3"]
CAMARILLA_OUTPUTS = ["pivot", "r1", "r2", "r3", "r4", "s1", "s2", "s3", "s4"]

CASES = (
    [name for name in DEFAULTS]  # every indicator with its defaults
    + ["sma:10", "sma:2", "ema:10", "ema:2", "wma:10", "dema:10", "tema:10", "trima:10", "trima:11", "kama:10",
       "kama:2", "t3:8,0.5", "macd:5,35,5", "macd:26,12,9", "macdext:12,26,9,1,1,1", "macdext:10,20,5,6,3,2",
       "macdext:12,26,9,8,4,5", "macdfix:5", "rsi:2", "rsi:30", "cmo:5", "mom:1", "roc:3", "rocp:3", "rocr:3",
       "trix:5", "apo:12,26,0", "apo:5,20,8", "ppo:12,26,0", "ppo:20,5,2", "stoch:14,3,3", "stoch:14,3,3,1,2",
       "stochf:14,3", "stochrsi:14,14,3", "stochrsi:10,5,3,1", "willr:5", "cci:20", "ultosc:14,7,28", "aroon:25",
       "aroonosc:5", "mfi:5", "bbands:10,1.5,2.5,1", "bbands:20,2,2,3", "stddev:20,2", "var:20", "atr:1",
       "atr:5", "natr:5", "adx:5", "adxr:5", "dx:5", "plus_di:5", "minus_di:5", "plus_dm:5", "minus_dm:5",
       "sar:0.01,0.1", "sar:0.03,0.3", "midpoint:5", "midprice:5", "linearreg:30", "linearreg_slope:5",
       "linearreg_intercept:5", "linearreg_angle:5", "tsf:5", "adosc:5,20", "adosc:10,3", "vwap:20"]
    # windows longer than a ring buffer keeps inline (RingBuffer.inlineCapacity, 64 values)
    # (read by age from two rings, and pushed, dropped and summed afresh; two, so the fixtures stay under
    # 5 MiB; StreamingTests copies sma:100 as well)
    + ["ultosc:20,40,80", "linearreg:100"]
    # every moving-average type as a smoother
    + [f"stochf:5,3,{t}" for t in MA_TYPES]
)


def fmt(value):
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse(spec):
    name, _, params = spec.partition(":")
    given = [float(p) for p in params.split(",")] if params else []
    return name, given


def column_names(name, given):
    """Mirrors ConfiguredIndicator.columnNames: every non-MA-type parameter, plus MA types if written."""
    params = list(DEFAULTS[name])
    params[: len(given)] = given
    if name in CATALOG:
        keywords = CATALOG[name][2]
        primary = sum(1 for k in keywords if k not in MA_TYPE_KEYWORDS)
        outputs = CATALOG[name][3]
    else:
        primary = len(params)
        outputs = {"pivots": PIVOT_OUTPUTS, "pivots_fibonacci": PIVOT_OUTPUTS,
                   "pivots_camarilla": CAMARILLA_OUTPUTS}.get(name)
    stem = "_".join([name] + [fmt(p) for p in params[: max(len(given), primary)]])
    return [stem] if not outputs else [f"{stem}_{o}" for o in outputs], params


def reference(name, params, data):
    if name in CATALOG:
        function, inputs, keywords, outputs = CATALOG[name]
        kwargs = {k: (int(v) if k != "vfactor" and k not in ("nbdevup", "nbdevdn", "nbdev", "acceleration", "maximum")
                      else float(v)) for k, v in zip(keywords, params)}
        result = getattr(talib, function)(*[data[i] for i in inputs], **kwargs)
        return list(result) if isinstance(result, tuple) else [result]
    high, low, close, volume = data["high"], data["low"], data["close"], data["volume"]
    if name == "vwap":
        return [vwap(high, low, close, volume, int(params[0]))]
    return pivots(name, high, low, close)


def vwap(high, low, close, volume, period):
    typical = (high + low + close) / 3.0
    out = np.full(len(close), np.nan)
    for i in range(len(close)):
        start = 0 if period == 0 else i - period + 1
        if start < 0:
            continue
        v = volume[start : i + 1].sum()
        out[i] = (typical[start : i + 1] * volume[start : i + 1]).sum() / v if v > 0 else typical[start : i + 1].mean()
    return out


def pivots(name, high, low, close):
    n = len(close)
    h, l, c = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    h[1:], l[1:], c[1:] = high[:-1], low[:-1], close[:-1]
    p = (h + l + c) / 3.0
    r = h - l
    if name == "pivots":
        return [p, 2 * p - l, p + r, h + 2 * (p - l), 2 * p - h, p - r, l - 2 * (h - p)]
    if name == "pivots_fibonacci":
        return [p, p + 0.382 * r, p + 0.618 * r, p + r, p - 0.382 * r, p - 0.618 * r, p - r]
    s = r * 1.1
    return [p, c + s / 12, c + s / 6, c + s / 4, c + s / 2, c - s / 12, c - s / 6, c - s / 4, c - s / 2]


def synthetic(count, seed):
    """A seeded random walk with realistic bars: gaps, wicks, volume clusters."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.012, count)))
    open_ = np.empty(count)
    open_[0] = 100.0
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.003, count - 1))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, count)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, count)))
    volume = np.round(rng.lognormal(10, 0.6, count))
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def constant(count, price, volume):
    return {k: np.full(count, price) for k in ("open", "high", "low", "close")} | {"volume": np.full(count, volume)}


def spike(count, at):
    data = constant(count, 100.0, 1000.0)
    data["high"][at], data["close"][at], data["low"][at], data["volume"][at] = 150.0, 130.0, 95.0, 50000.0
    return data


def fx_ties(count, seed):
    """Five-decimal FX bars (EURUSD-like, hourly) where every 23rd bar repeats the previous bar's
    typical price in decimals with a different high and low: equal typical prices that differ by a
    few ulps in binary, the case where TA-Lib's scaled dead zone decides MFI's flow."""
    rng = np.random.default_rng(seed)
    close = np.round(1.1 + np.cumsum(rng.normal(0, 0.0008, count)), 5)
    open_ = np.round(np.r_[1.1, close[:-1]], 5)
    high = np.round(np.maximum(open_, close) + np.abs(rng.normal(0, 0.0004, count)), 5)
    low = np.round(np.minimum(open_, close) - np.abs(rng.normal(0, 0.0004, count)), 5)
    volume = np.round(rng.lognormal(7, 0.5, count))
    for i in range(10, count, 23):
        high[i], low[i], close[i] = round(high[i - 1] + 0.00002, 5), round(low[i - 1] - 0.00002, 5), close[i - 1]
        open_[i] = close[i - 1]
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def scaled(data, price, volume):
    """`data` with prices times `price` and volumes times `volume` (micro-priced tokens with huge
    volumes; index-like prices with tiny ones)."""
    return {k: data[k] * (volume if k == "volume" else price) for k in INPUTS}


def datasets():
    walk = synthetic(2000, seed=20261121)
    small = synthetic(500, seed=11)
    zero_volume = synthetic(300, seed=7)
    zero_volume["volume"][:] = 0.0
    return {
        "synthetic": walk,
        "constant": constant(150, 50.0, 1000.0),
        "zero_volume": zero_volume,
        "spike": spike(400, 60),
        "short": synthetic(12, seed=3),
        "fx_ties": fx_ties(500, seed=5),
        "micro": scaled(small, 1e-7, 1e5),   # prices ~1e-5, volumes ~1e9
        "macro": scaled(small, 1e3, 1e-6),   # prices ~1e5, volumes ~0.02
    }


def cell(column, value):
    """Inputs exactly (shortest round-trip form); outputs to 11 significant digits, a rounding 20× finer
    than the 1e-9 agreement the tests check, which keeps the files small."""
    if math.isnan(value):
        return ""
    return repr(float(value)) if column in INPUTS else f"{value:.11g}"


INPUTS = ("open", "high", "low", "close", "volume")


def write(name, data):
    columns = {k: data[k] for k in ("open", "high", "low", "close", "volume")}
    for spec in CASES:
        indicator, given = parse(spec)
        names, params = column_names(indicator, given)
        if names[0] in columns:
            continue
        values = reference(indicator, params, data)
        assert len(values) == len(names), (spec, len(values), names)
        for column, series in zip(names, values):
            columns[column] = np.asarray(series, dtype=float)
    with open(os.path.join(OUT, f"{name}.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns.keys())
        for i in range(len(data["close"])):
            out.writerow(cell(name, v[i]) for name, v in columns.items())
    return len(columns) - 5


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write(f"# Generated by scripts/indicators-golden.py with TA-Lib {talib.__version__} "
                f"(C library {talib.__ta_version__.decode()}); DO NOT EDIT.\n")
        f.write("\n".join(CASES) + "\n")
    for name, data in datasets().items():
        print(f"{name}: {write(name, data)} columns", file=sys.stderr)


if __name__ == "__main__":
    main()
