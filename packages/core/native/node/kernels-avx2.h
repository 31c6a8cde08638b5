/*
 * topk's native CPU kernels for Node (x86-64 with AVX2 and FMA): convolution as an indirect GEMM, the
 * convolution filter gradient, depthwise convolution, and the thread pool they share. They work on tensors
 * that live in tfjs-wasm's heap, so no data is copied between the backend and the kernels.
 *
 * Only call these after addon.c has checked that the CPU has AVX2 and FMA: the file is compiled with them.
 */
#ifndef TOPK_KERNELS_AVX2_H
#define TOPK_KERNELS_AVX2_H

/* NHWC convolution geometry; filters are [kh, kw, ci, co] (tfjs' layout). */
typedef struct {
  int n, h, w, ci; /* input */
  int oh, ow, co;  /* output */
  int kh, kw, sh, sw, dh, dw, pt, pl;
} topk_conv_geom;

enum { TOPK_ACT_LINEAR = 0, TOPK_ACT_RELU = 1, TOPK_ACT_RELU6 = 2 };

/* Threads used by the kernels, the calling thread included (1..16). */
void topk_set_threads(int n);
int topk_get_threads(void);

/* Runs fn(ctx, 0..tasks-1) on the pool, the caller included; returns when all are done. A second thread
 * calling while a job runs does its tasks alone. */
void topk_parallel_for(int tasks, void (*fn)(void *ctx, int task), void *ctx);

/*
 * y = act(conv(x, w) + bias). bias may be NULL. With trans_w the filter is stored transposed, [co, kh*kw*ci]
 * (a matmul's transposed right operand). Returns 0, or -1 when memory runs out.
 */
int topk_conv_forward(const float *x, const float *w, const float *bias, float *y, const topk_conv_geom *g,
                      int act, int trans_w);

/* dw[kh, kw, ci, co] = sum over output pixels of im2col(x) * dy. Returns 0, or -1 when memory runs out. */
int topk_conv_filter_grad(const float *x, const float *dy, float *dw, const topk_conv_geom *g);

/* Depthwise convolution with channel multiplier 1: w is [kh, kw, c]; co must equal ci; at most
 * TOPK_DEPTHWISE_MAX_TAPS = kh * kw. Returns 0, or -1 for a larger filter. */
#define TOPK_DEPTHWISE_MAX_TAPS 64
int topk_depthwise_forward(const float *x, const float *w, const float *bias, float *y, const topk_conv_geom *g,
                           int act);

/* dx of a depthwise convolution with channel multiplier 1 from dy and w [kh, kw, c] (geometry as in the
 * forward pass). Returns 0, or -1 for a filter over TOPK_DEPTHWISE_MAX_TAPS taps. */
int topk_depthwise_input_grad(const float *dy, const float *w, float *dx, const topk_conv_geom *g);

/* A MobileNetV2 inverted residual block: optional 1x1 expansion (ci -> hidden), depthwise kh x kw with
 * stride and padding (hidden channels), 1x1 projection (hidden -> co), each with its bias and activation,
 * plus the block's input when `residual` (then co == ci and the output is as large as the input). */
typedef struct {
  int n, h, w, ci, hidden, co, kh, kw, sh, sw, pt, pl, oh, ow;
  int act_expand, act_depthwise, act_project, residual;
} topk_ir_geom;

/* we/be NULL for a block without expansion (hidden = ci). Returns 0, or -1 (memory, or a filter over
 * TOPK_DEPTHWISE_MAX_TAPS taps). */
int topk_inverted_residual(const float *x, const float *we, const float *be, const float *wd, const float *bd,
                           const float *wp, const float *bp, float *y, const topk_ir_geom *g);

#endif
