/*
 * topk's wasm SIMD kernels (../kernels.c, compiled natively through shim/wasm_simd128.h) split across the
 * native thread pool: maps over rows or elements run on row ranges; reductions (column sums, batch-norm
 * gradient sums, the depthwise filter gradient) reduce each range into a private buffer, then add the
 * buffers. Small inputs run on the calling thread.
 */
#include "parallel-kernels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels-avx2.h"

/* kernels.c */
void topk_sum_rows(const float *x, float *out, int32_t rows, int32_t cols);
void topk_channel_affine(const float *x, const float *m, const float *a, const float *b, float *y, int32_t rows,
                         int32_t cols);
void topk_bn_grad_sums(const float *x, const float *dy, const float *mean, float *s1, float *s2, int32_t rows,
                       int32_t cols);
void topk_centered_square_sums(const float *x, const float *mean, float *out, int32_t rows, int32_t cols);
void topk_bn_input_grad(const float *x, const float *dy, const float *a, const float *b, const float *k, float *dx,
                        int32_t rows, int32_t cols);
void topk_clip_grad(const float *x, const float *dy, float *dx, int32_t n, float lo, float hi);
void topk_relu_grad(const float *x, const float *dy, float *dx, int32_t n);
void topk_depthwise_filter_grad(const float *x, const float *dy, float *dw, int32_t n, int32_t h, int32_t w,
                                int32_t c, int32_t oh, int32_t ow, int32_t kh, int32_t kw, int32_t mult, int32_t sh,
                                int32_t sw, int32_t dh, int32_t dwl, int32_t pt, int32_t pl);

void topk_max_pool_grad(const float *x, const float *y, const float *dy, float *dx, int32_t n, int32_t h, int32_t w,
                        int32_t c, int32_t oh, int32_t ow, int32_t fh, int32_t fw, int32_t sh, int32_t sw, int32_t pt,
                        int32_t pl);
void topk_avg_pool_grad(const float *dy, float *dx, int32_t n, int32_t h, int32_t w, int32_t c, int32_t oh,
                        int32_t ow, int32_t fh, int32_t fw, int32_t sh, int32_t sw, int32_t pt, int32_t pl);

/* Below this many elements a kernel runs on the calling thread. */
#define PARALLEL_MIN_ELEMENTS 32768

typedef struct {
  int kind;
  const float *in[5];
  float *out[2];
  const int32_t *dims; /* the depthwise filter gradient's geometry */
  int64_t units;       /* rows (or elements, or images) to split */
  int64_t unit_in, unit_in2; /* per image: floats of the image-sized and of the output-sized operands */
  int cols;
  float lo, hi;
  int64_t per_task;
  float *partial; /* reductions: tasks * reduce_size */
  int64_t reduce_size;
} par_ctx;

static void par_task(void *p, int task) {
  const par_ctx *c = (const par_ctx *)p;
  int64_t u0 = task * c->per_task, u1 = u0 + c->per_task < c->units ? u0 + c->per_task : c->units;
  if (u1 <= u0) return;
  int32_t count = (int32_t)(u1 - u0);
  float *priv = c->partial != NULL ? c->partial + task * c->reduce_size : NULL;
  switch (c->kind) {
    case TOPK_PAR_CHANNEL_AFFINE:
      topk_channel_affine(c->in[0] + u0 * c->cols, c->in[1], c->in[2], c->in[3], c->out[0] + u0 * c->cols, count,
                          c->cols);
      break;
    case TOPK_PAR_BN_INPUT_GRAD:
      topk_bn_input_grad(c->in[0] + u0 * c->cols, c->in[1] + u0 * c->cols, c->in[2], c->in[3], c->in[4],
                         c->out[0] + u0 * c->cols, count, c->cols);
      break;
    case TOPK_PAR_CLIP_GRAD:
      topk_clip_grad(c->in[0] + u0, c->in[1] + u0, c->out[0] + u0, count, c->lo, c->hi);
      break;
    case TOPK_PAR_RELU_GRAD:
      topk_relu_grad(c->in[0] + u0, c->in[1] + u0, c->out[0] + u0, count);
      break;
    case TOPK_PAR_SUM_ROWS:
      topk_sum_rows(c->in[0] + u0 * c->cols, priv, count, c->cols);
      break;
    case TOPK_PAR_BN_GRAD_SUMS:
      topk_bn_grad_sums(c->in[0] + u0 * c->cols, c->in[1] + u0 * c->cols, c->in[2], priv, priv + c->cols, count,
                        c->cols);
      break;
    case TOPK_PAR_CENTERED_SQUARE_SUMS:
      topk_centered_square_sums(c->in[0] + u0 * c->cols, c->in[1], priv, count, c->cols);
      break;
    case TOPK_PAR_DEPTHWISE_FILTER_GRAD: {
      const int32_t *d = c->dims; /* n h w c oh ow kh kw mult sh sw dh dwl pt pl */
      topk_depthwise_filter_grad(c->in[0] + u0 * c->unit_in, c->in[1] + u0 * c->unit_in2, priv, count, d[1], d[2],
                                 d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]);
      break;
    }
    case TOPK_PAR_MAX_POOL_GRAD: {
      const int32_t *d = c->dims; /* n h w c oh ow fh fw sh sw pt pl; images are independent */
      topk_max_pool_grad(c->in[0] + u0 * c->unit_in, c->in[1] + u0 * c->unit_in2, c->in[2] + u0 * c->unit_in2,
                         c->out[0] + u0 * c->unit_in, count, d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
                         d[10], d[11]);
      break;
    }
    case TOPK_PAR_AVG_POOL_GRAD: {
      const int32_t *d = c->dims;
      topk_avg_pool_grad(c->in[0] + u0 * c->unit_in2, c->out[0] + u0 * c->unit_in, count, d[1], d[2], d[3], d[4],
                         d[5], d[6], d[7], d[8], d[9], d[10], d[11]);
      break;
    }
    default:
      break;
  }
}

int topk_parallel_kernel(int kind, const float *const *in, float *const *out, const int32_t *dims, float lo,
                         float hi) {
  par_ctx c;
  memset(&c, 0, sizeof c);
  c.kind = kind, c.lo = lo, c.hi = hi, c.dims = dims;
  for (int i = 0; i < 5; i++) c.in[i] = in[i];
  for (int i = 0; i < 2; i++) c.out[i] = out[i];
  int64_t elements;
  int outputs = 0; /* reductions: how many cols-long outputs */
  switch (kind) {
    case TOPK_PAR_CHANNEL_AFFINE:
    case TOPK_PAR_BN_INPUT_GRAD:
      c.units = dims[0], c.cols = dims[1], elements = (int64_t)dims[0] * dims[1];
      break;
    case TOPK_PAR_CLIP_GRAD:
    case TOPK_PAR_RELU_GRAD:
      c.units = dims[0], elements = dims[0];
      break;
    case TOPK_PAR_SUM_ROWS:
    case TOPK_PAR_CENTERED_SQUARE_SUMS:
      c.units = dims[0], c.cols = dims[1], elements = (int64_t)dims[0] * dims[1], outputs = 1;
      break;
    case TOPK_PAR_BN_GRAD_SUMS:
      c.units = dims[0], c.cols = dims[1], elements = (int64_t)dims[0] * dims[1], outputs = 2;
      break;
    case TOPK_PAR_DEPTHWISE_FILTER_GRAD:
      c.units = dims[0];
      c.unit_in = (int64_t)dims[1] * dims[2] * dims[3];
      c.unit_in2 = (int64_t)dims[4] * dims[5] * dims[3] * dims[8];
      elements = c.units * c.unit_in2 * dims[6] * dims[7];
      break;
    case TOPK_PAR_MAX_POOL_GRAD:
    case TOPK_PAR_AVG_POOL_GRAD:
      c.units = dims[0];
      c.unit_in = (int64_t)dims[1] * dims[2] * dims[3];
      c.unit_in2 = (int64_t)dims[4] * dims[5] * dims[3];
      elements = c.units * (c.unit_in + c.unit_in2);
      break;
    default:
      return -1;
  }
  int threads = topk_get_threads();
  int tasks = elements < PARALLEL_MIN_ELEMENTS || c.units < 2 ? 1 : (int)(c.units < threads ? c.units : threads);
  c.per_task = (c.units + tasks - 1) / (tasks > 0 ? tasks : 1);
  int reduction = outputs > 0 || kind == TOPK_PAR_DEPTHWISE_FILTER_GRAD;
  if (reduction) {
    c.reduce_size = kind == TOPK_PAR_DEPTHWISE_FILTER_GRAD ? (int64_t)dims[6] * dims[7] * dims[3] * dims[8]
                                                             : (int64_t)outputs * c.cols;
    if (tasks == 1) {
      /* one range: reduce straight into the outputs (the kernels zero them first) */
      if (kind == TOPK_PAR_BN_GRAD_SUMS) {
        topk_bn_grad_sums(c.in[0], c.in[1], c.in[2], out[0], out[1], (int32_t)c.units, c.cols);
        return 0;
      }
      c.partial = out[0];
      c.reduce_size = 0;
      par_task(&c, 0);
      return 0;
    }
    c.partial = malloc(sizeof(float) * (size_t)(tasks * c.reduce_size));
    if (c.partial == NULL) return -1;
  }
  if (c.units > 0) topk_parallel_for(tasks, par_task, &c);
  if (reduction) {
    int64_t size = c.reduce_size;
    float *first = c.partial;
    for (int t = 1; t < tasks; t++) {
      const float *other = c.partial + t * size;
      for (int64_t i = 0; i < size; i++) first[i] += other[i];
    }
    if (kind == TOPK_PAR_BN_GRAD_SUMS) {
      memcpy(out[0], first, sizeof(float) * (size_t)c.cols);
      memcpy(out[1], first + c.cols, sizeof(float) * (size_t)c.cols);
    } else {
      memcpy(out[0], first, sizeof(float) * (size_t)size);
    }
    free(c.partial);
  }
  return 0;
}
