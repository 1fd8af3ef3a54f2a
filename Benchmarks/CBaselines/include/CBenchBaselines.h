// Raw C baselines the `tradewind bench` figures are compared with, run in the same process.
#ifndef CBASELINES_H
#define CBASELINES_H
#include <stddef.h>
#include <stdint.h>

/// Sequential framed ping-pong over loopback TCP (4-byte length + `payload` bytes each way) against
/// an echo thread. Writes each round trip's nanoseconds to `out_ns` (length `iterations`).
/// Returns 0, or -1 when sockets fail.
int tw_base_tcp_pingpong(size_t iterations, size_t payload, uint64_t *out_ns);

/// Pipelined framed echo over loopback TCP: `window` frames in flight. Returns frames per second.
double tw_base_tcp_pipelined(size_t frames, size_t payload, size_t window);

/// One publisher pipelining PUBLISH of `messages` `payload`-byte messages to `subscribers`
/// blocking hiredis subscribers on `channel`. Returns messages delivered per second (summed over
/// subscribers), or a negative number on failure.
double tw_base_redis_fanout(const char *host, int port, const char *channel, size_t subscribers, size_t messages, size_t payload);

#endif
