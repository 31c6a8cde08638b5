/*
 * Node-API glue of topk's native kernels. Every kernel takes the tfjs-wasm heap (a typed array over the
 * wasm memory, shared or not) followed by byte offsets of its tensors in that heap and the shapes, so that
 * tensors never leave the heap. Offsets are checked against the heap's length before any kernel runs.
 *
 * This file is compiled without AVX so that loading the addon on a CPU without AVX2/FMA reports why
 * instead of crashing: `unsupported` is then set and no kernel is exported.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

#include "kernels-avx2.h"
#include "parallel-kernels.h"

#define MAX_ARGS 32

typedef struct {
  uint8_t *base;
  size_t length;
} heap_view;

static int throw_error(napi_env env, const char *message) {
  napi_throw_error(env, "TOPK_NATIVE", message);
  return 0;
}

/* Reads the heap and `count` integer arguments after it; returns 0 after throwing on bad arguments. */
static int read_args(napi_env env, napi_callback_info info, size_t count, heap_view *heap, int64_t *values) {
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return throw_error(env, "bad call");
  if (argc != count + 1) return throw_error(env, "wrong number of arguments");
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array)
    return throw_error(env, "the heap must be a Uint8Array over the wasm memory");
  heap->base = (uint8_t *)data;
  heap->length = length;
  for (size_t i = 0; i < count; i++) {
    double v;
    if (napi_get_value_double(env, argv[i + 1], &v) != napi_ok || v != v || v < -9.0e15 || v > 9.0e15)
      return throw_error(env, "arguments after the heap must be finite numbers");
    values[i] = (int64_t)v;
  }
  return 1;
}

/* A float tensor of `count` elements at byte `offset`, or NULL after throwing when it leaves the heap. */
static float *tensor_at(napi_env env, const heap_view *heap, int64_t offset, int64_t count, int *ok) {
  if (!*ok) return NULL;
  if (offset < 0 || (offset & 3) != 0 || count < 0 || (uint64_t)offset + (uint64_t)count * 4 > heap->length) {
    *ok = throw_error(env, "a tensor lies outside the wasm heap (or is misaligned)");
    return NULL;
  }
  return (float *)(heap->base + offset);
}

static int read_geom(napi_env env, const int64_t *v, topk_conv_geom *g) {
  int *f[] = {&g->n, &g->h, &g->w, &g->ci, &g->oh, &g->ow, &g->co, &g->kh, &g->kw,
              &g->sh, &g->sw, &g->dh, &g->dw, &g->pt, &g->pl};
  for (int i = 0; i < 15; i++) {
    if (v[i] < 0 || v[i] > 0x7fffffff) return throw_error(env, "convolution sizes must be non-negative int32");
    *f[i] = (int)v[i];
  }
  if (g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1) return throw_error(env, "strides and dilations must be >= 1");
  return 1;
}

static napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* conv2d(heap, x, w, bias | -1, y, n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl, act, transW) */
static napi_value conv2d(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[21];
  topk_conv_geom g;
  if (!read_args(env, info, 21, &heap, v) || !read_geom(env, v + 4, &g)) return NULL;
  int ok = 1;
  int64_t inputs = (int64_t)g.n * g.h * g.w * g.ci, taps = (int64_t)g.kh * g.kw;
  const float *x = tensor_at(env, &heap, v[0], inputs, &ok);
  const float *w = tensor_at(env, &heap, v[1], taps * g.ci * g.co, &ok);
  const float *bias = v[2] < 0 ? NULL : tensor_at(env, &heap, v[2], g.co, &ok);
  float *y = tensor_at(env, &heap, v[3], (int64_t)g.n * g.oh * g.ow * g.co, &ok);
  if (!ok) return NULL;
  if (topk_conv_forward(x, w, bias, y, &g, (int)v[19], (int)v[20]) != 0) {
    throw_error(env, "out of memory in conv2d");
    return NULL;
  }
  return undefined_value(env);
}

/* conv2dFilterGrad(heap, x, dy, dw, n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl) */
static napi_value conv2d_filter_grad(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[18];
  topk_conv_geom g;
  if (!read_args(env, info, 18, &heap, v) || !read_geom(env, v + 3, &g)) return NULL;
  int ok = 1;
  const float *x = tensor_at(env, &heap, v[0], (int64_t)g.n * g.h * g.w * g.ci, &ok);
  const float *dy = tensor_at(env, &heap, v[1], (int64_t)g.n * g.oh * g.ow * g.co, &ok);
  float *dw = tensor_at(env, &heap, v[2], (int64_t)g.kh * g.kw * g.ci * g.co, &ok);
  if (!ok) return NULL;
  if (topk_conv_filter_grad(x, dy, dw, &g) != 0) {
    throw_error(env, "out of memory in conv2dFilterGrad");
    return NULL;
  }
  return undefined_value(env);
}

/* depthwise2d(heap, x, w, bias | -1, y, n, h, w, c, oh, ow, c, kh, kw, sh, sw, dh, dw, pt, pl, act) */
static napi_value depthwise2d(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[20];
  topk_conv_geom g;
  if (!read_args(env, info, 20, &heap, v) || !read_geom(env, v + 4, &g)) return NULL;
  if (g.co != g.ci) {
    throw_error(env, "depthwise2d supports channel multiplier 1 only");
    return NULL;
  }
  int ok = 1;
  const float *x = tensor_at(env, &heap, v[0], (int64_t)g.n * g.h * g.w * g.ci, &ok);
  const float *w = tensor_at(env, &heap, v[1], (int64_t)g.kh * g.kw * g.ci, &ok);
  const float *bias = v[2] < 0 ? NULL : tensor_at(env, &heap, v[2], g.ci, &ok);
  float *y = tensor_at(env, &heap, v[3], (int64_t)g.n * g.oh * g.ow * g.ci, &ok);
  if (!ok) return NULL;
  if (topk_depthwise_forward(x, w, bias, y, &g, (int)v[19]) != 0) {
    throw_error(env, "depthwise2d supports filters of at most 64 taps");
    return NULL;
  }
  return undefined_value(env);
}

/* invertedResidual(heap, x, we | -1, be | -1, wd, bd | -1, wp, bp | -1, y,
 *                  n, h, w, ci, hidden, co, kh, kw, sh, sw, pt, pl, oh, ow, actE, actD, actP, residual) */
static napi_value inverted_residual(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[26];
  if (!read_args(env, info, 26, &heap, v)) return NULL;
  topk_ir_geom g;
  int *f[] = {&g.n, &g.h, &g.w, &g.ci, &g.hidden, &g.co, &g.kh, &g.kw, &g.sh, &g.sw, &g.pt, &g.pl, &g.oh, &g.ow,
              &g.act_expand, &g.act_depthwise, &g.act_project, &g.residual};
  for (int i = 0; i < 18; i++) {
    if (v[8 + i] < 0 || v[8 + i] > 0x7fffffff) {
      throw_error(env, "block sizes must be non-negative int32");
      return NULL;
    }
    *f[i] = (int)v[8 + i];
  }
  if (g.sh < 1 || g.sw < 1 || (g.residual && (g.co != g.ci || g.oh != g.h || g.ow != g.w))) {
    throw_error(env, "bad block geometry (strides >= 1; a residual block keeps its shape)");
    return NULL;
  }
  int expand = v[1] >= 0, hidden = expand ? g.hidden : g.ci;
  int ok = 1;
  const float *x = tensor_at(env, &heap, v[0], (int64_t)g.n * g.h * g.w * g.ci, &ok);
  const float *we = expand ? tensor_at(env, &heap, v[1], (int64_t)g.ci * hidden, &ok) : NULL;
  const float *be = expand && v[2] >= 0 ? tensor_at(env, &heap, v[2], hidden, &ok) : NULL;
  const float *wd = tensor_at(env, &heap, v[3], (int64_t)g.kh * g.kw * hidden, &ok);
  const float *bd = v[4] >= 0 ? tensor_at(env, &heap, v[4], hidden, &ok) : NULL;
  const float *wp = tensor_at(env, &heap, v[5], (int64_t)hidden * g.co, &ok);
  const float *bp = v[6] >= 0 ? tensor_at(env, &heap, v[6], g.co, &ok) : NULL;
  float *y = tensor_at(env, &heap, v[7], (int64_t)g.n * g.oh * g.ow * g.co, &ok);
  if (!ok) return NULL;
  if (topk_inverted_residual(x, we, be, wd, bd, wp, bp, y, &g) != 0) {
    throw_error(env, "invertedResidual ran out of memory (or its depthwise filter has over 64 taps)");
    return NULL;
  }
  return undefined_value(env);
}

/* parallelKernel(heap, kind, lo, hi, in0..in4 | -1, out0, out1 | -1, d0..d14): a kernels.c kernel on the
 * thread pool (see parallel-kernels.h for each kind's operands and dims). */
static napi_value parallel_kernel(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[25];
  if (!read_args(env, info, 25, &heap, v)) return NULL;
  int kind = (int)v[0];
  int32_t d[15];
  for (int i = 0; i < 15; i++) {
    if (v[10 + i] < 0 || v[10 + i] > 0x7fffffff) {
      throw_error(env, "kernel sizes must be non-negative int32");
      return NULL;
    }
    d[i] = (int32_t)v[10 + i];
  }
  int64_t rc = (int64_t)d[0] * d[1], cols = d[1], n = d[0];
  /* floats each operand spans: in0..in4, out0, out1 (0: unused) */
  int64_t sizes[7] = {0};
  switch (kind) {
    case TOPK_PAR_CHANNEL_AFFINE: sizes[0] = rc, sizes[1] = sizes[2] = sizes[3] = cols, sizes[5] = rc; break;
    case TOPK_PAR_BN_INPUT_GRAD: sizes[0] = sizes[1] = rc, sizes[2] = sizes[3] = sizes[4] = cols, sizes[5] = rc; break;
    case TOPK_PAR_CLIP_GRAD:
    case TOPK_PAR_RELU_GRAD: sizes[0] = sizes[1] = sizes[5] = n; break;
    case TOPK_PAR_SUM_ROWS: sizes[0] = rc, sizes[5] = cols; break;
    case TOPK_PAR_BN_GRAD_SUMS: sizes[0] = sizes[1] = rc, sizes[2] = sizes[5] = sizes[6] = cols; break;
    case TOPK_PAR_CENTERED_SQUARE_SUMS: sizes[0] = rc, sizes[1] = sizes[5] = cols; break;
    case TOPK_PAR_DEPTHWISE_FILTER_GRAD:
      sizes[0] = (int64_t)d[0] * d[1] * d[2] * d[3];
      sizes[1] = (int64_t)d[0] * d[4] * d[5] * d[3] * d[8];
      sizes[5] = (int64_t)d[6] * d[7] * d[3] * d[8];
      if (d[9] < 1 || d[10] < 1 || d[11] < 1 || d[12] < 1) {
        throw_error(env, "strides and dilations must be >= 1");
        return NULL;
      }
      break;
    case TOPK_PAR_MAX_POOL_GRAD:
    case TOPK_PAR_AVG_POOL_GRAD: {
      int64_t in_size = (int64_t)d[0] * d[1] * d[2] * d[3], out_size = (int64_t)d[0] * d[4] * d[5] * d[3];
      if (kind == TOPK_PAR_MAX_POOL_GRAD)
        sizes[0] = in_size, sizes[1] = sizes[2] = out_size;
      else
        sizes[0] = out_size;
      sizes[5] = in_size;
      if (d[8] < 1 || d[9] < 1) {
        throw_error(env, "strides must be >= 1");
        return NULL;
      }
      break;
    }
    default:
      throw_error(env, "unknown parallel kernel");
      return NULL;
  }
  int ok = 1;
  const float *in[5] = {0};
  float *out[2] = {0};
  for (int i = 0; i < 5; i++)
    if (sizes[i] > 0) in[i] = tensor_at(env, &heap, v[3 + i], sizes[i], &ok);
  for (int i = 0; i < 2; i++)
    if (sizes[5 + i] > 0) out[i] = tensor_at(env, &heap, v[8 + i], sizes[5 + i], &ok);
  if (!ok) return NULL;
  double lo, hi;
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_double(env, argv[2], &lo);
  napi_get_value_double(env, argv[3], &hi);
  if (topk_parallel_kernel(kind, in, out, d, (float)lo, (float)hi) != 0) {
    throw_error(env, "parallelKernel ran out of memory");
    return NULL;
  }
  return undefined_value(env);
}

/* depthwiseInputGrad(heap, dy, w, dx, n, h, w, c, oh, ow, c, kh, kw, sh, sw, dh, dw, pt, pl) */
static napi_value depthwise_input_grad(napi_env env, napi_callback_info info) {
  heap_view heap;
  int64_t v[18];
  topk_conv_geom g;
  if (!read_args(env, info, 18, &heap, v) || !read_geom(env, v + 3, &g)) return NULL;
  if (g.co != g.ci) {
    throw_error(env, "depthwiseInputGrad supports channel multiplier 1 only");
    return NULL;
  }
  int ok = 1;
  const float *dy = tensor_at(env, &heap, v[0], (int64_t)g.n * g.oh * g.ow * g.ci, &ok);
  const float *w = tensor_at(env, &heap, v[1], (int64_t)g.kh * g.kw * g.ci, &ok);
  float *dx = tensor_at(env, &heap, v[2], (int64_t)g.n * g.h * g.w * g.ci, &ok);
  if (!ok) return NULL;
  if (topk_depthwise_input_grad(dy, w, dx, &g) != 0) {
    throw_error(env, "depthwiseInputGrad supports filters of at most 64 taps");
    return NULL;
  }
  return undefined_value(env);
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], &n) != napi_ok) {
    throw_error(env, "setThreads(n) needs an integer");
    return NULL;
  }
  topk_set_threads(n);
  napi_value r;
  napi_create_int32(env, topk_get_threads(), &r);
  return r;
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

static void export_string(napi_env env, napi_value exports, const char *name, const char *value) {
  napi_value s;
  napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, exports, name, s);
}

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    export_string(env, exports, "unsupported", "this CPU lacks AVX2 or FMA, which topk's native kernels need");
    return exports;
  }
  export_string(env, exports, "isa", "x86-64 AVX2+FMA");
  export_function(env, exports, "conv2d", conv2d);
  export_function(env, exports, "conv2dFilterGrad", conv2d_filter_grad);
  export_function(env, exports, "depthwise2d", depthwise2d);
  export_function(env, exports, "invertedResidual", inverted_residual);
  export_function(env, exports, "parallelKernel", parallel_kernel);
  export_function(env, exports, "depthwiseInputGrad", depthwise_input_grad);
  export_function(env, exports, "setThreads", set_threads);
  return exports;
}
