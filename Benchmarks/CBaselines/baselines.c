#define _GNU_SOURCE
#include "CBenchBaselines.h"
#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int write_full(int fd, const void *buf, size_t n) {
  size_t sent = 0;
  while (sent < n) {
    ssize_t w = write(fd, (const char *)buf + sent, n - sent);
    if (w <= 0) return -1;
    sent += (size_t)w;
  }
  return 0;
}

int tw_allowed_cpus(int *out, int max) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
  int n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
    if (CPU_ISSET(cpu, &set)) out[n++] = cpu;
  return n;
}

int tw_set_thread_cpus(const int *cpus, size_t count) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (size_t i = 0; i < count; i++) CPU_SET(cpus[i], &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0 ? 0 : -1;
}

static void pin_to(int cpu) {
  if (cpu >= 0) tw_set_thread_cpus(&cpu, 1);
}

struct echo_args { int listener; int cpu; };

/* Echo server: copies whatever arrives back (frames pass through unchanged). */
static void *echo_thread(void *arg) {
  struct echo_args *a = arg;
  pin_to(a->cpu);
  int fd = accept(a->listener, NULL, NULL);
  if (fd < 0) return NULL;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char buf[65536];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    if (write_full(fd, buf, (size_t)r) < 0) break;
  }
  close(fd);
  return NULL;
}

static int connect_pair(int *client, pthread_t *thread, struct echo_args *echo) {
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  echo->listener = socket(AF_INET, SOCK_STREAM, 0);
  if (echo->listener < 0 || bind(echo->listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(echo->listener, 1) < 0) return -1;
  socklen_t len = sizeof addr;
  getsockname(echo->listener, (struct sockaddr *)&addr, &len);
  pthread_create(thread, NULL, echo_thread, echo);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr *)&addr, sizeof addr) < 0) return -1;
  int one = 1;
  setsockopt(*client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return 0;
}

struct pingpong_args { int fd; size_t iterations; size_t payload; uint64_t *out_ns; int cpu; int result; };

/* The client side of the ping-pong, on a thread of its own so that it can be pinned without
   pinning the caller's thread. */
static void *pingpong_thread(void *arg) {
  struct pingpong_args *a = arg;
  pin_to(a->cpu);
  size_t frame = 4 + a->payload;
  char *buf = calloc(1, frame);
  uint32_t be = htonl((uint32_t)a->payload);
  memcpy(buf, &be, 4);
  a->result = 0;
  for (size_t i = 0; i < a->iterations; i++) {
    uint64_t t0 = now_ns();
    if (write_full(a->fd, buf, frame) < 0 || read_full(a->fd, buf, frame) < 0) { a->result = -1; break; }
    a->out_ns[i] = now_ns() - t0;
  }
  free(buf);
  return NULL;
}

int tw_base_tcp_pingpong(size_t iterations, size_t payload, uint64_t *out_ns, int client_cpu, int server_cpu) {
  int client;
  pthread_t thread, pinger;
  struct echo_args echo = {-1, server_cpu};
  if (connect_pair(&client, &thread, &echo) < 0) return -1;
  struct pingpong_args args = {client, iterations, payload, out_ns, client_cpu, -1};
  pthread_create(&pinger, NULL, pingpong_thread, &args);
  pthread_join(pinger, NULL);
  close(client);
  pthread_join(thread, NULL);
  close(echo.listener);
  return args.result;
}

struct reader_args { int fd; size_t bytes; };

static void *drain_thread(void *arg) {
  struct reader_args *a = arg;
  char buf[65536];
  size_t got = 0;
  while (got < a->bytes) {
    ssize_t r = read(a->fd, buf, sizeof buf);
    if (r <= 0) break;
    got += (size_t)r;
  }
  return NULL;
}

double tw_base_tcp_pipelined(size_t frames, size_t payload, size_t window) {
  (void)window; /* a writer and a reader thread keep the pipe full; the socket buffers bound it */
  int client;
  pthread_t thread, reader;
  struct echo_args echo = {-1, -1};
  if (connect_pair(&client, &thread, &echo) < 0) return -1;
  size_t frame = 4 + payload;
  size_t batch = 64;
  char *buf = calloc(batch, frame);
  for (size_t i = 0; i < batch; i++) {
    uint32_t be = htonl((uint32_t)payload);
    memcpy(buf + i * frame, &be, 4);
  }
  struct reader_args args = {client, frames * frame};
  uint64_t t0 = now_ns();
  pthread_create(&reader, NULL, drain_thread, &args);
  for (size_t sent = 0; sent < frames; sent += batch) {
    size_t n = frames - sent < batch ? frames - sent : batch;
    if (write_full(client, buf, n * frame) < 0) break;
  }
  pthread_join(reader, NULL);
  double seconds = (double)(now_ns() - t0) / 1e9;
  shutdown(client, SHUT_RDWR);
  close(client);
  pthread_join(thread, NULL);
  close(echo.listener);
  free(buf);
  return (double)frames / seconds;
}

struct sub_args {
  const char *host; int port; const char *channel; size_t expect; volatile int ready; size_t got;
};

static void *subscriber_thread(void *arg) {
  struct sub_args *a = arg;
  redisContext *c = redisConnect(a->host, a->port);
  if (!c || c->err) { a->ready = -1; return NULL; }
  redisReply *r = redisCommand(c, "SUBSCRIBE %s", a->channel);
  freeReplyObject(r);
  __atomic_store_n(&a->ready, 1, __ATOMIC_RELEASE);
  void *reply;
  while (a->got < a->expect && redisGetReply(c, &reply) == REDIS_OK) {
    a->got++;
    freeReplyObject(reply);
  }
  redisFree(c);
  return NULL;
}

double tw_base_redis_fanout(const char *host, int port, const char *channel, size_t subscribers, size_t messages, size_t payload) {
  pthread_t threads[64];
  struct sub_args args[64];
  if (subscribers > 64) subscribers = 64;
  /* Connect the publisher first: if Redis is not there, fail before any thread exists. */
  redisContext *pub = redisConnect(host, port);
  if (!pub || pub->err) { if (pub) redisFree(pub); return -1; }
  for (size_t i = 0; i < subscribers; i++) {
    args[i] = (struct sub_args){host, port, channel, messages, 0, 0};
    pthread_create(&threads[i], NULL, subscriber_thread, &args[i]);
  }
  for (size_t i = 0; i < subscribers; i++) {
    while (__atomic_load_n(&args[i].ready, __ATOMIC_ACQUIRE) == 0) usleep(1000);
  }
  char *body = malloc(payload);
  memset(body, 'x', payload);
  uint64_t t0 = now_ns();
  size_t window = 256;
  for (size_t sent = 0; sent < messages;) {
    size_t n = messages - sent < window ? messages - sent : window;
    for (size_t i = 0; i < n; i++) redisAppendCommand(pub, "PUBLISH %s %b", channel, body, payload);
    for (size_t i = 0; i < n; i++) {
      void *reply;
      if (redisGetReply(pub, &reply) != REDIS_OK) return -1;
      freeReplyObject(reply);
    }
    sent += n;
  }
  size_t delivered = 0;
  for (size_t i = 0; i < subscribers; i++) {
    pthread_join(threads[i], NULL);
    delivered += args[i].got;
  }
  double seconds = (double)(now_ns() - t0) / 1e9;
  redisFree(pub);
  free(body);
  return (double)delivered / seconds;
}
