"""The baseline `tradewind bench gateway` measures Tradewind's WebSocket fan-out against: Python's
`websockets` library (asyncio server, `broadcast`), serving the same kind of message to the same
harness (`tradewind bench ws-harness`) in the same run. A client sends any text message to
subscribe and is answered {"type":"subscribed"}; then every client gets a market update stamped
with the server's realtime clock in ns at sending ("timestamp_ns"), `--rate` messages a second each
(0: flat out, as fast as the event loop goes). Prints "listening <port>" once it listens."""
import argparse
import asyncio
import time

import websockets
from websockets.asyncio.server import broadcast, serve

clients = set()


async def handler(ws):
    await ws.recv()
    await ws.send('{"type":"subscribed","channel":"market:XRPUSDT"}')
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)


def message():
    return ('{"type":"market_update","data":{"symbol":"XRPUSDT","canonical_symbol":"XRP/USDT","price":0.5123,'
            '"change":1.25,"timestamp":%d,"timestamp_ns":"%d"}}' % (time.time_ns() // 1_000_000, time.time_ns()))


async def produce(rate):
    sent = 0
    start = time.monotonic()
    while True:
        if not clients:
            await asyncio.sleep(0.001)
            start, sent = time.monotonic(), 0
            continue
        if rate == 0:
            for _ in range(16):
                broadcast(clients, message())
            await asyncio.sleep(0)
            continue
        due = int((time.monotonic() - start) * rate)
        while sent < due:
            broadcast(clients, message())
            sent += 1
        await asyncio.sleep(0.0005)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0)
    args = parser.parse_args()
    async with serve(handler, "127.0.0.1", args.port, compression=None, max_queue=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print("listening %d" % port, flush=True)
        print("websockets %s" % websockets.__version__, flush=True)
        await produce(args.rate)


asyncio.run(main())
