/* topk's wasm SIMD kernels (../kernels.c) run natively on the thread pool; see parallel-kernels.c. */
#ifndef TOPK_PARALLEL_KERNELS_H
#define TOPK_PARALLEL_KERNELS_H
#include <stdint.h>

enum {
  TOPK_PAR_CHANNEL_AFFINE = 0,        /* in x m a b, out y; dims rows cols */
  TOPK_PAR_BN_INPUT_GRAD = 1,         /* in x dy a b k, out dx; dims rows cols */
  TOPK_PAR_CLIP_GRAD = 2,             /* in x dy, out dx; dims n; lo hi */
  TOPK_PAR_RELU_GRAD = 3,             /* in x dy, out dx; dims n */
  TOPK_PAR_SUM_ROWS = 4,              /* in x, out sums; dims rows cols */
  TOPK_PAR_BN_GRAD_SUMS = 5,          /* in x dy mean, out s1 s2; dims rows cols */
  TOPK_PAR_CENTERED_SQUARE_SUMS = 6,  /* in x mean, out sums; dims rows cols */
  TOPK_PAR_DEPTHWISE_FILTER_GRAD = 7, /* in x dy, out dw; dims n h w c oh ow kh kw mult sh sw dh dw pt pl */
  TOPK_PAR_MAX_POOL_GRAD = 8,         /* in x y dy, out dx; dims n h w c oh ow fh fw sh sw pt pl */
  TOPK_PAR_AVG_POOL_GRAD = 9,         /* in dy, out dx; dims n h w c oh ow fh fw sh sw pt pl */
  TOPK_PAR_KINDS = 10
};

/* Runs one kernel of kernels.c split over the pool. Returns 0, or -1 (unknown kind, out of memory). */
int topk_parallel_kernel(int kind, const float *const *in, float *const *out, const int32_t *dims, float lo,
                         float hi);

#endif
