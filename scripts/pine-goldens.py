#!/usr/bin/env python3
"""Writes the golden trade lists the Pine compiler's tests compare against.

An independent reference for the broker emulator's semantics: backtesting.py (pinned below) runs
the same strategies as Tests/StrategiesTests/Fixtures/pine/golden_*.pine on
../shared/fixtures/backtest/GOOG.csv with trade_on_close=False (market orders fill at the next
bar's open, as TradingView's emulator fills them with process_orders_on_close=false), no
commission, 10 shares per entry. Indicators are written here from TradingView's definitions
(SMA, EMA seeded with the SMA of the first `length` closes, RSI over RMAs); crossover is
`a > b and a[1] <= b[1]`. Only closed trades are written (the position open at the end is not a
trade in either tool).

    python3 -m venv /tmp/btenv && /tmp/btenv/bin/pip install backtesting==0.6.6
    /tmp/btenv/bin/python scripts/pine-goldens.py

The committed CSVs are what the tests read; the tests need no Python.
"""
import os
import sys

import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "StrategiesTests", "Fixtures")
OUT = os.path.join(FIXTURES, "pine", "goldens")


def sma(x, n):
    return pd.Series(x).rolling(n).mean().to_numpy()


def smoothed(x, n, alpha):
    """TradingView's EMA/RMA: seeded with the SMA of the first n known values."""
    x = np.asarray(x, dtype=float)
    out = np.full(len(x), np.nan)
    seed = pd.Series(x).rolling(n).mean().to_numpy()
    for i in range(len(x)):
        if i == 0 or np.isnan(out[i - 1]):
            out[i] = seed[i]
        else:
            out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]
    return out


def ema(x, n):
    return smoothed(x, n, 2 / (n + 1))


def rsi(x, n):
    x = np.asarray(x, dtype=float)
    change = np.concatenate([[np.nan], np.diff(x)])
    up = smoothed(np.maximum(change, 0), n, 1 / n)
    down = smoothed(np.maximum(-change, 0), n, 1 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(down == 0, 100.0, np.where(up == 0, 0.0, 100 - 100 / (1 + up / down)))
    out[np.isnan(up) | np.isnan(down)] = np.nan
    return out


def crossed_over(a, b):
    return a[-1] > b[-1] and a[-2] <= b[-2]


class SmaCross(Strategy):
    def init(self):
        self.fast = self.I(sma, self.data.Close, 10)
        self.slow = self.I(sma, self.data.Close, 20)

    def next(self):
        if crossed_over(self.fast, self.slow):
            if not self.position:
                self.buy(size=10)
        elif crossed_over(self.slow, self.fast) and self.position.is_long:
            self.position.close()


class RsiThresholds(Strategy):
    def init(self):
        self.rsi = self.I(rsi, self.data.Close, 14)

    def next(self):
        if self.rsi[-1] < 30 and not self.position:
            self.buy(size=10)
        elif self.rsi[-1] > 70 and self.position:
            self.position.close()


class StopLimit(Strategy):
    def init(self):
        self.fast = self.I(sma, self.data.Close, 10)
        self.slow = self.I(sma, self.data.Close, 20)

    def next(self):
        close = self.data.Close[-1]
        if crossed_over(self.fast, self.slow) and not self.position:
            self.buy(size=10, sl=close * 0.95, tp=close * 1.08)
        elif crossed_over(self.slow, self.fast) and self.position:
            self.position.close()


class Reversal(Strategy):
    def init(self):
        self.fast = self.I(ema, self.data.Close, 12)
        self.slow = self.I(ema, self.data.Close, 26)

    def next(self):
        if crossed_over(self.fast, self.slow):
            self.buy(size=10)
        elif crossed_over(self.slow, self.fast):
            self.sell(size=10)


def main():
    bars = pd.read_csv(os.path.join(FIXTURES, "GOOG.csv"), index_col=0, parse_dates=True)
    os.makedirs(OUT, exist_ok=True)
    runs = [("sma_cross", SmaCross, False), ("rsi_thresholds", RsiThresholds, False), ("stop_limit", StopLimit, False), ("reversal", Reversal, True)]
    for name, strategy, exclusive in runs:
        bt = Backtest(bars, strategy, cash=1_000_000, commission=0, trade_on_close=False, exclusive_orders=exclusive, finalize_trades=False)
        trades = bt.run()._trades
        rows = ["entry_bar,exit_bar,side,quantity,entry_price,exit_price"]
        for t in trades.itertuples():
            side = "long" if t.Size > 0 else "short"
            rows.append(f"{t.EntryBar},{t.ExitBar},{side},{abs(t.Size)},{t.EntryPrice:.6f},{t.ExitPrice:.6f}")
        with open(os.path.join(OUT, name + ".csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        print(name, len(rows) - 1, "trades", file=sys.stderr)


if __name__ == "__main__":
    main()
