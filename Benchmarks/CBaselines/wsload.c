// A WebSocket load harness in plain C, run as its own process (`tradewind bench ws-harness`) so the
// clients' work is not counted against the server it measures. One thread, epoll, non-blocking
// sockets: it opens the clients, upgrades each (RFC 6455 §4.1: a GET with Upgrade, Connection,
// Sec-WebSocket-Key and -Version 13; the answer must be 101), sends each its subscribe message as a
// masked text frame (§5.3: clients mask), waits for every client's first message (the server's
// acknowledgement), says "ready" on stdout, then reads frames (§5.2: 7/16/64-bit lengths, no mask
// from a server) for the warm-up and the measured seconds. Each text message carries the server's
// send time as `"<stamp>":"<ns>"` or `"<stamp>":<ns>`; latency = this machine's realtime clock at
// receipt minus it. Pings are answered with pongs; a close frame ends that client.
#define _GNU_SOURCE
#include "CBenchBaselines.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BUF = 1 << 20, HIST_US = 2000000 };

typedef struct {
    int fd;
    int upgraded;     // the 101 answer was read
    int acknowledged; // the first message came
    int closed;
    size_t used;      // bytes in `buf`
    unsigned char *buf;
} client;

static uint64_t now_ns(int clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/// A masked client frame with `opcode` and `payload`.
static int send_frame(int fd, int opcode, const char *payload, size_t n) {
    unsigned char head[14];
    size_t h = 0;
    head[h++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        head[h++] = (unsigned char)(0x80 | n);
    } else if (n < 65536) {
        head[h++] = 0x80 | 126;
        head[h++] = (unsigned char)(n >> 8);
        head[h++] = (unsigned char)n;
    } else {
        return -1;
    }
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(head + h, mask, 4);
    h += 4;
    unsigned char body[65536];
    for (size_t i = 0; i < n; i++) body[i] = (unsigned char)payload[i] ^ mask[i & 3];
    if (write_all(fd, head, h) < 0) return -1;
    return write_all(fd, body, n);
}

/// The stamp `"key":"123"` or `"key":123` in `p[0..<n]`, or 0.
static uint64_t find_stamp(const unsigned char *p, size_t n, const char *needle, size_t needle_len) {
    const unsigned char *hit = memmem(p, n, needle, needle_len);
    if (!hit) return 0;
    const unsigned char *q = hit + needle_len, *end = p + n;
    if (q < end && *q == '"') q++;
    uint64_t v = 0;
    while (q < end && *q >= '0' && *q <= '9') v = v * 10 + (uint64_t)(*q++ - '0');
    return v;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int tw_wsload(const tw_wsload_options *o, tw_wsload_result *r) {
    memset(r, 0, sizeof *r);
    client *c = calloc(o->clients, sizeof *c);
    uint32_t *hist = calloc(HIST_US + 1, sizeof *hist);
    int ep = epoll_create1(0);
    if (!c || !hist || ep < 0) return -1;
    char request[4096];
    int len = snprintf(
        request, sizeof request,
        "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s%s\r\n",
        o->path, o->host, o->port, o->header ? o->header : "", o->header ? "\r\n" : "");
    if (len <= 0 || (size_t)len >= sizeof request) return -1;
    // Connected and upgraded one by one (blocking), then switched to non-blocking for the run.
    for (size_t i = 0; i < o->clients; i++) {
        c[i].buf = malloc(BUF);
        c[i].fd = connect_to(o->host, o->port);
        if (c[i].fd < 0 || !c[i].buf || write_all(c[i].fd, request, (size_t)len) < 0) return -2;
        size_t got = 0;
        char *end = NULL;
        while (!end) {
            ssize_t n = read(c[i].fd, c[i].buf + got, BUF - got - 1);
            if (n <= 0) return -3;
            got += (size_t)n;
            c[i].buf[got] = 0;
            end = strstr((char *)c[i].buf, "\r\n\r\n");
        }
        if (strncmp((char *)c[i].buf, "HTTP/1.1 101", 12) != 0) return -4;
        c[i].upgraded = 1;
        size_t head = (size_t)(end + 4 - (char *)c[i].buf);
        memmove(c[i].buf, c[i].buf + head, got - head);
        c[i].used = got - head;
        if (o->subscribe && send_frame(c[i].fd, 1, o->subscribe, strlen(o->subscribe)) < 0) return -5;
        if (fcntl(c[i].fd, F_SETFL, fcntl(c[i].fd, F_GETFL) | O_NONBLOCK) < 0) return -6;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev) < 0) return -7;
    }
    r->connected = o->clients;
    const size_t needle_len = strlen(o->stamp) + 3;
    char needle[128];
    snprintf(needle, sizeof needle, "\"%s\":", o->stamp);
    size_t acknowledged = 0, open = o->clients;
    uint64_t started = 0, measure_from = 0, measure_to = 0;
    int ready = 0;
    struct epoll_event events[256];
    for (;;) {
        uint64_t mono = now_ns(CLOCK_MONOTONIC);
        if (ready && mono >= measure_to) break;
        if (!ready && started && mono - started > 30000000000ull) return -8;  // 30 s without every acknowledgement
        if (!started) started = mono;
        if (open == 0) break;
        int n = epoll_wait(ep, events, 256, 50);
        if (n < 0 && errno != EINTR) return -9;
        for (int e = 0; e < n; e++) {
            client *k = &c[events[e].data.u64];
            for (;;) {
                ssize_t got = read(k->fd, k->buf + k->used, BUF - k->used);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                    if (!k->closed) {
                        k->closed = 1;
                        open--;
                        r->closed++;
                    }
                    epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
                    break;
                }
                if (got < 0) break;
                k->used += (size_t)got;
                uint64_t wall = now_ns(CLOCK_REALTIME), at = now_ns(CLOCK_MONOTONIC);
                size_t p = 0;
                while (k->used - p >= 2) {
                    unsigned char *f = k->buf + p;
                    int opcode = f[0] & 0x0f;
                    uint64_t size = f[1] & 0x7f;
                    size_t h = 2;
                    if (size == 126) {
                        if (k->used - p < 4) break;
                        size = ((uint64_t)f[2] << 8) | f[3];
                        h = 4;
                    } else if (size == 127) {
                        if (k->used - p < 10) break;
                        size = 0;
                        for (int b = 0; b < 8; b++) size = (size << 8) | f[2 + b];
                        h = 10;
                    }
                    if (size > BUF - 16) return -10;
                    if (k->used - p < h + size) break;
                    const unsigned char *payload = f + h;
                    if (opcode == 1 || opcode == 0) {
                        if (!k->acknowledged) {
                            k->acknowledged = 1;
                            if (++acknowledged == o->clients) {
                                ready = 1;
                                measure_from = at + o->warmup_ns;
                                measure_to = measure_from + o->measure_ns;
                                fputs("ready\n", stdout);
                                fflush(stdout);
                            }
                        } else if (ready && at >= measure_from) {
                            r->delivered++;
                            r->bytes += size;
                            uint64_t stamp = find_stamp(payload, size, needle, needle_len);
                            if (stamp && wall > stamp) {
                                uint64_t us = (wall - stamp) / 1000;
                                hist[us < HIST_US ? us : HIST_US]++;
                                r->stamped++;
                            }
                        }
                    } else if (opcode == 9) {
                        send_frame(k->fd, 10, (const char *)payload, size);
                    } else if (opcode == 8) {
                        if (!k->closed) {
                            k->closed = 1;
                            open--;
                            r->closed++;
                        }
                    }
                    p += h + size;
                }
                memmove(k->buf, k->buf + p, k->used - p);
                k->used -= p;
            }
        }
    }
    r->seconds = (double)o->measure_ns / 1e9;
    uint64_t seen = 0, p50 = 0, p99 = 0, max = 0;
    for (uint64_t us = 0; us <= HIST_US; us++) {
        if (!hist[us]) continue;
        seen += hist[us];
        if (!p50 && seen * 2 >= r->stamped) p50 = us;
        if (!p99 && seen * 100 >= r->stamped * 99) p99 = us;
        max = us;
    }
    r->p50_us = (double)p50;
    r->p99_us = (double)p99;
    r->max_us = (double)max;
    for (size_t i = 0; i < o->clients; i++) {
        close(c[i].fd);
        free(c[i].buf);
    }
    free(c);
    free(hist);
    close(ep);
    return 0;
}
