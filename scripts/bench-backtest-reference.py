#!/usr/bin/env python3
"""The reference backtesters beside `tradewind bench backtest`: the SMA(10)/SMA(20) cross, long
only, fills at the close, all in, on 1,000,000 one-minute bars of a seeded random walk (±0.1 % a
bar, as the Swift bench). Prints one JSON line per library: bars/s and trades.

    python3 -m venv /tmp/vbt && /tmp/vbt/bin/pip install vectorbt==1.2.0 backtesting==0.6.6
    /tmp/vbt/bin/python scripts/bench-backtest-reference.py [bars]
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd

BARS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
warnings.filterwarnings("ignore")


def series(n):
    rng = np.random.default_rng(20261203)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.0005, n)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.0005, n)))
    index = pd.date_range("2023-11-14", periods=n, freq="min")
    return pd.DataFrame({"Open": open_, "High": high, "Low": low, "Close": close, "Volume": 1e4}, index=index)


def best(run, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return min(times), out


def vectorbt(df):
    import vectorbt as vbt

    def run():
        close = df["Close"]
        fast, slow = vbt.MA.run(close, 10), vbt.MA.run(close, 20)
        entries, exits = fast.ma_crossed_above(slow), fast.ma_crossed_below(slow)
        pf = vbt.Portfolio.from_signals(close, entries, exits, init_cash=100_000, size=np.inf, size_granularity=1, freq="1min")
        return int(pf.trades.count())

    run()  # numba compiles on the first call
    seconds, trades = best(run)
    return {"bench": "reference.vectorbt_1_2_0", "bars": len(df), "trades": trades, "bars_per_s": len(df) / seconds}


def backtesting_py(df):
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover
    from backtesting.test import SMA

    class SmaCross(Strategy):
        def init(self):
            self.fast = self.I(SMA, self.data.Close, 10)
            self.slow = self.I(SMA, self.data.Close, 20)

        def next(self):
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    def run():
        stats = Backtest(df, SmaCross, cash=1e12, commission=0, trade_on_close=True, finalize_trades=False).run()
        return int(stats["# Trades"])

    seconds, trades = best(run, repeat=1)
    return {"bench": "reference.backtesting_py_0_6_6", "bars": len(df), "trades": trades, "bars_per_s": len(df) / seconds}


if __name__ == "__main__":
    frame = series(BARS)
    print(json.dumps(vectorbt(frame)))
    print(json.dumps(backtesting_py(frame)))
