// Raw C baselines the `tradewind bench` figures are compared with, run in the same process.
#ifndef CBASELINES_H
#define CBASELINES_H
#include <stddef.h>
#include <stdint.h>

/// The CPUs this process may run on (its affinity mask), at most `max` of them, into `out`.
/// Returns how many, or -1.
int tw_allowed_cpus(int *out, int max);

/// Restricts the calling thread to the `count` CPUs in `cpus`. Returns 0, or -1 when the kernel
/// refuses (a CPU outside the process's mask).
int tw_set_thread_cpus(const int *cpus, size_t count);

/// Sequential framed ping-pong over loopback TCP (4-byte length + `payload` bytes each way) between
/// a client thread on CPU `client_cpu` and an echo thread on CPU `server_cpu` (< 0: wherever the
/// scheduler puts it). Writes each round trip's nanoseconds to `out_ns` (length `iterations`).
/// Returns 0, or -1 when sockets fail.
int tw_base_tcp_pingpong(size_t iterations, size_t payload, uint64_t *out_ns, int client_cpu, int server_cpu);

/// Pipelined framed echo over loopback TCP: `window` frames in flight. Returns frames per second.
double tw_base_tcp_pipelined(size_t frames, size_t payload, size_t window);

/// One publisher pipelining PUBLISH of `messages` `payload`-byte messages to `subscribers`
/// blocking hiredis subscribers on `channel`. Returns messages delivered per second (summed over
/// subscribers), or a negative number on failure.
double tw_base_redis_fanout(const char *host, int port, const char *channel, size_t subscribers, size_t messages, size_t payload);

/// What `tw_wsload` is asked to do.
typedef struct {
    const char *host;       ///< IPv4 address
    int port;
    const char *path;       ///< e.g. "/ws"
    const char *header;     ///< one extra request header line without CRLF (e.g. "Authorization: Bearer …"), or NULL
    const char *subscribe;  ///< the text message each client sends once upgraded, or NULL
    const char *stamp;      ///< the JSON key holding the server's send time in ns (realtime clock)
    size_t clients;
    uint64_t warmup_ns;     ///< read but not counted, after every client's first message
    uint64_t measure_ns;
} tw_wsload_options;

/// What `tw_wsload` measured.
typedef struct {
    size_t connected, closed;
    uint64_t delivered, stamped, bytes;
    double seconds, p50_us, p99_us, max_us;
} tw_wsload_result;

/// WebSocket clients in this process reading a server's messages: see wsload.c. Prints "ready" on
/// stdout once every client has its first message (the moment to start producing). Returns 0, or a
/// negative step number that failed (connect, upgrade, subscribe, no acknowledgement in 30 s…).
int tw_wsload(const tw_wsload_options *options, tw_wsload_result *result);

#endif
