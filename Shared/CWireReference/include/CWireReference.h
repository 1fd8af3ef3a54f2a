// Reference encodings made by filling protobuf-c structs directly in C, and the C baseline of
// `tradewind bench codec`. Used to check that the Swift mapping produces the very same bytes.
#ifndef CWIREREFERENCE_H
#define CWIREREFERENCE_H
#include <stddef.h>
#include <stdint.h>
#include "TradewindProto.h"

/// Packs a Tick with these fields into `out` (at least 128 bytes); returns the length.
size_t tw_ref_pack_tick(const char *symbol, int64_t ts_ns, double price, double size, double bid, double ask,
                        int32_t aggressor, uint64_t seq, uint8_t *out);

/// Packs an Order with the given scalars and `n_fills` fills (each quantity `qty_raw`, price
/// `price_raw`, id "f<i>") into `out` (at least 4096 bytes); returns the length.
size_t tw_ref_pack_order(const char *id, const char *symbol, int32_t side, int64_t qty_raw, int64_t price_raw,
                         int32_t status, int64_t created_ns, size_t n_fills, uint8_t *out);

/// Mean nanoseconds of one encode (pack into a reused buffer) + decode (unpack + free) of a
/// typical Tick / Order, over `iterations`, measured entirely in C.
double tw_ref_bench_tick(size_t iterations);
double tw_ref_bench_order(size_t iterations);

#endif
