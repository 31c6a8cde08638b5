/*
 * The handful of wasm_simd128.h intrinsics that ../../kernels.c uses, as GCC/Clang vector extensions, so
 * that the same source also compiles natively (SSE/AVX) into the Node addon. Semantics follow the wasm
 * SIMD spec: comparisons give all-ones / all-zeros lanes; loads and stores are unaligned.
 */
#ifndef TOPK_WASM_SIMD128_SHIM_H
#define TOPK_WASM_SIMD128_SHIM_H
#include <stdint.h>
#include <string.h>

typedef float v128_t __attribute__((vector_size(16)));
typedef int32_t topk_i32x4 __attribute__((vector_size(16)));

static inline v128_t wasm_v128_load(const void *p) {
  v128_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void wasm_v128_store(void *p, v128_t v) { memcpy(p, &v, sizeof v); }
static inline v128_t wasm_f32x4_splat(float x) { return (v128_t){x, x, x, x}; }
static inline v128_t wasm_i32x4_splat(int32_t x) { return (v128_t)(topk_i32x4){x, x, x, x}; }
static inline v128_t wasm_f32x4_add(v128_t a, v128_t b) { return a + b; }
static inline v128_t wasm_f32x4_sub(v128_t a, v128_t b) { return a - b; }
static inline v128_t wasm_f32x4_mul(v128_t a, v128_t b) { return a * b; }
static inline v128_t wasm_f32x4_eq(v128_t a, v128_t b) { return (v128_t)(a == b); }
static inline v128_t wasm_f32x4_gt(v128_t a, v128_t b) { return (v128_t)(a > b); }
static inline v128_t wasm_f32x4_ge(v128_t a, v128_t b) { return (v128_t)(a >= b); }
static inline v128_t wasm_f32x4_le(v128_t a, v128_t b) { return (v128_t)(a <= b); }
static inline v128_t wasm_v128_and(v128_t a, v128_t b) { return (v128_t)((topk_i32x4)a & (topk_i32x4)b); }
static inline v128_t wasm_v128_andnot(v128_t a, v128_t b) { return (v128_t)((topk_i32x4)a & ~(topk_i32x4)b); }
#define wasm_i32x4_shuffle(a, b, i0, i1, i2, i3) \
  ((v128_t)__builtin_shufflevector((topk_i32x4)(a), (topk_i32x4)(b), i0, i1, i2, i3))

#endif
