#include "CWireReference.h"
#include <string.h>
#include <time.h>

size_t tw_ref_pack_tick(const char *symbol, int64_t ts_ns, double price, double size, double bid, double ask,
                        int32_t aggressor, uint64_t seq, uint8_t *out) {
  Tradewind__V1__Tick t = TRADEWIND__V1__TICK__INIT;
  t.symbol = (char *)symbol;
  t.ts_ns = ts_ns;
  t.price = price;
  t.size = size;
  t.bid = bid;
  t.ask = ask;
  t.aggressor = (Tradewind__V1__Side)aggressor;
  t.seq = seq;
  return tradewind__v1__tick__pack(&t, out);
}

size_t tw_ref_pack_order(const char *id, const char *symbol, int32_t side, int64_t qty_raw, int64_t price_raw,
                         int32_t status, int64_t created_ns, size_t n_fills, uint8_t *out) {
  Tradewind__V1__Order o = TRADEWIND__V1__ORDER__INIT;
  Tradewind__V1__Decimal qty = TRADEWIND__V1__DECIMAL__INIT, price = TRADEWIND__V1__DECIMAL__INIT;
  qty.raw = qty_raw;
  price.raw = price_raw;
  o.id = (char *)id;
  o.account_id = "acct-1";
  o.client_order_id = "cl-1";
  o.symbol = (char *)symbol;
  o.side = (Tradewind__V1__Side)side;
  o.type = TRADEWIND__V1__ORDER_TYPE__ORDER_TYPE_LIMIT;
  o.time_in_force = TRADEWIND__V1__TIME_IN_FORCE__TIME_IN_FORCE_GTC;
  o.quantity = &qty;
  o.limit_price = &price;
  o.status = (Tradewind__V1__OrderStatus)status;
  o.created_at_ns = created_ns;
  o.updated_at_ns = created_ns;
  static const char *const ids[16] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
                                      "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15"};
  Tradewind__V1__Fill fills[16];
  Tradewind__V1__Fill *fill_ptrs[16];
  if (n_fills > 16) n_fills = 16;
  for (size_t i = 0; i < n_fills; i++) {
    Tradewind__V1__Fill f = TRADEWIND__V1__FILL__INIT;
    fills[i] = f;
    fills[i].id = (char *)ids[i];
    fills[i].order_id = (char *)id;
    fills[i].symbol = (char *)symbol;
    fills[i].side = (Tradewind__V1__Side)side;
    fills[i].quantity = &qty;
    fills[i].price = &price;
    fills[i].ts_ns = created_ns + (int64_t)i;
    fill_ptrs[i] = &fills[i];
  }
  o.n_fills = n_fills;
  o.fills = n_fills ? fill_ptrs : NULL;
  return tradewind__v1__order__pack(&o, out);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double tw_ref_bench_tick(size_t iterations) {
  uint8_t buf[256];
  volatile double sink = 0;
  double start = now_ns();
  for (size_t i = 0; i < iterations; i++) {
    Tradewind__V1__Tick t = TRADEWIND__V1__TICK__INIT;
    t.symbol = "BTC/USDT";
    t.ts_ns = 1700000000000000000LL + (int64_t)i;
    t.price = 65000.5 + (double)(i & 7);
    t.size = 0.25;
    t.bid = 65000.4;
    t.ask = 65000.6;
    t.aggressor = TRADEWIND__V1__SIDE__SIDE_BUY;
    t.seq = i;
    size_t n = tradewind__v1__tick__pack(&t, buf);
    Tradewind__V1__Tick *d = tradewind__v1__tick__unpack(NULL, n, buf);
    sink += d->price;
    tradewind__v1__tick__free_unpacked(d, NULL);
  }
  (void)sink;
  return (now_ns() - start) / (double)iterations;
}

double tw_ref_bench_order(size_t iterations) {
  uint8_t buf[4096];
  volatile double sink = 0;
  double start = now_ns();
  for (size_t i = 0; i < iterations; i++) {
    size_t n = tw_ref_pack_order("ord-000123", "BTC/USDT", 1, 25000000, 6500050000000LL, 3,
                                 1700000000000000000LL + (int64_t)i, 1, buf);
    Tradewind__V1__Order *d = tradewind__v1__order__unpack(NULL, n, buf);
    sink += (double)d->created_at_ns;
    tradewind__v1__order__free_unpacked(d, NULL);
  }
  (void)sink;
  return (now_ns() - start) / (double)iterations;
}
