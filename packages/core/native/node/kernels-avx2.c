/*
 * AVX2 + FMA kernels for topk's native path; see kernels-avx2.h.
 *
 * Convolution is an indirect GEMM (no im2col buffer): the output pixels are the rows of A, and for each
 * filter tap a row is a pointer to the input pixel's ci contiguous channels (or to zeros in the padding).
 * The filter is packed once per call into panels of 16 output channels, and a 6x16 register tile of
 * output accumulates over every tap before the bias and activation are applied and it is stored.
 *
 * The filter gradient is dw^T = dy^T . im2col(x): rows are output channels, the long reduction runs over
 * the output pixels in blocks of KC, each block of im2col(x) packed once and reused by every row tile.
 * Each thread reduces its own share of the pixels into a private buffer; the buffers are summed at the end.
 *
 * Depthwise convolution and its input gradient visit, per output (or input) pixel, only the taps inside the
 * image; the MobileNetV2 block kernel chains expansion, depthwise and projection one image at a time.
 */
#include "kernels-avx2.h"

#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MAX_THREADS 16

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

/* Splits `units` into at most `max_tasks` ranges of `*per` units each; returns how many (0 for no units). */
static int split_units(int units, int max_tasks, int *per) {
  if (units <= 0) {
    *per = 0;
    return 0;
  }
  int tasks = imax(1, imin(units, max_tasks));
  *per = (units + tasks - 1) / tasks;
  return (units + *per - 1) / *per;
}

/* Lanes below channels % 8 set: the mask of a channel row's last, partial vector. */
static __m256i tail_mask_for(int channels) {
  int rest = channels & 7, lanes[8];
  for (int i = 0; i < 8; i++) lanes[i] = i < rest ? -1 : 0;
  return _mm256_loadu_si256((const __m256i *)lanes);
}

static void *alloc_floats(size_t count) {
  size_t bytes = (count * sizeof(float) + 63) & ~(size_t)63;
  return aligned_alloc(64, bytes == 0 ? 64 : bytes);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Thread pool: the caller runs tasks too; workers spin briefly for the next job, then sleep.            */

typedef void (*task_fn)(void *ctx, int task);

static struct {
  pthread_mutex_t mu;
  pthread_mutex_t busy; /* held by the one caller running a job; other callers run theirs alone */
  pthread_cond_t cv;
  pthread_t threads[MAX_THREADS];
  int start_generation[MAX_THREADS];
  int started;          /* workers running */
  int wanted;           /* threads in use, caller included */
  atomic_int generation;
  atomic_int next_task;
  atomic_int finished;  /* workers that finished the current generation */
  task_fn fn;
  void *ctx;
  int tasks;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, {0}, 0, 1, 0, 0, 0,
           NULL, NULL, 0};

static void run_tasks(void) {
  for (;;) {
    int t = atomic_fetch_add_explicit(&pool.next_task, 1, memory_order_relaxed);
    if (t >= pool.tasks) break;
    pool.fn(pool.ctx, t);
  }
}

static void *worker_main(void *arg) {
  int index = (int)(size_t)arg;
  /* The generation when this worker was created, not when it first runs: a job posted in between is
     one it must take part in (the caller waits for every started worker). */
  int seen = pool.start_generation[index];
  for (;;) {
    int spins = 0;
    while (atomic_load_explicit(&pool.generation, memory_order_acquire) == seen && spins < 4000) {
      _mm_pause();
      spins++;
    }
    if (atomic_load_explicit(&pool.generation, memory_order_acquire) == seen) {
      pthread_mutex_lock(&pool.mu);
      while (atomic_load(&pool.generation) == seen) pthread_cond_wait(&pool.cv, &pool.mu);
      pthread_mutex_unlock(&pool.mu);
    }
    seen = atomic_load(&pool.generation);
    if (index < pool.wanted - 1) run_tasks();
    atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
  }
  return NULL;
}

void topk_set_threads(int n) {
  n = imax(1, imin(MAX_THREADS, n));
  pthread_mutex_lock(&pool.busy); /* no job runs while workers are added */
  pthread_mutex_lock(&pool.mu);
  while (pool.started < n - 1) {
    pool.start_generation[pool.started] = atomic_load(&pool.generation);
    if (pthread_create(&pool.threads[pool.started], NULL, worker_main, (void *)(size_t)pool.started) != 0) break;
    pthread_detach(pool.threads[pool.started]);
    pool.started++;
  }
  pool.wanted = imin(n, pool.started + 1);
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.busy);
}

int topk_get_threads(void) { return pool.wanted; }

void topk_parallel_for(int tasks, void (*fn)(void *ctx, int task), void *ctx) {
  if (pool.wanted <= 1 || tasks <= 1 || pool.started == 0 || pthread_mutex_trylock(&pool.busy) != 0) {
    for (int t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  pool.tasks = tasks;
  atomic_store(&pool.next_task, 0);
  atomic_store(&pool.finished, 0);
  pthread_mutex_lock(&pool.mu);
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool.cv);
  pthread_mutex_unlock(&pool.mu);
  run_tasks();
  /* On an oversubscribed machine a worker may be descheduled: yield the core to it after a while. */
  for (int spins = 0; atomic_load_explicit(&pool.finished, memory_order_acquire) < pool.started; spins++) {
    if (spins < 20000)
      _mm_pause();
    else
      sched_yield();
  }
  pthread_mutex_unlock(&pool.busy);
}

/* ---------------------------------------------------------------------------------------------------- */
/* The 6x16 micro-kernel over groups of contiguous reduction runs.                                       */

typedef struct {
  __m256 v[MR][2];
} tile_acc;

/*
 * acc = sum over groups g, k < glen of a_r[g][k] * b[(g * glen + k) * 16 + 0..15], where a_r[g] is
 * ptrs[g * MR + r]. b is a packed panel: 16 consecutive floats per reduction index.
 */
static inline __attribute__((always_inline)) void ukernel(int groups, const float *const *ptrs, int glen,
                                                          const float *b, tile_acc *acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int g = 0; g < groups; g++) {
    const float *a0 = ptrs[g * MR + 0], *a1 = ptrs[g * MR + 1], *a2 = ptrs[g * MR + 2];
    const float *a3 = ptrs[g * MR + 3], *a4 = ptrs[g * MR + 4], *a5 = ptrs[g * MR + 5];
    for (int k = 0; k < glen; k++) {
      __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
      b += NR;
      __m256 a;
      a = _mm256_broadcast_ss(a0 + k);
      c00 = _mm256_fmadd_ps(a, b0, c00);
      c01 = _mm256_fmadd_ps(a, b1, c01);
      a = _mm256_broadcast_ss(a1 + k);
      c10 = _mm256_fmadd_ps(a, b0, c10);
      c11 = _mm256_fmadd_ps(a, b1, c11);
      a = _mm256_broadcast_ss(a2 + k);
      c20 = _mm256_fmadd_ps(a, b0, c20);
      c21 = _mm256_fmadd_ps(a, b1, c21);
      a = _mm256_broadcast_ss(a3 + k);
      c30 = _mm256_fmadd_ps(a, b0, c30);
      c31 = _mm256_fmadd_ps(a, b1, c31);
      a = _mm256_broadcast_ss(a4 + k);
      c40 = _mm256_fmadd_ps(a, b0, c40);
      c41 = _mm256_fmadd_ps(a, b1, c41);
      a = _mm256_broadcast_ss(a5 + k);
      c50 = _mm256_fmadd_ps(a, b0, c50);
      c51 = _mm256_fmadd_ps(a, b1, c51);
    }
  }
  acc->v[0][0] = c00, acc->v[0][1] = c01, acc->v[1][0] = c10, acc->v[1][1] = c11;
  acc->v[2][0] = c20, acc->v[2][1] = c21, acc->v[3][0] = c30, acc->v[3][1] = c31;
  acc->v[4][0] = c40, acc->v[4][1] = c41, acc->v[5][0] = c50, acc->v[5][1] = c51;
}

static inline __m256 activate(__m256 v, int act) {
  if (act == TOPK_ACT_RELU) return _mm256_max_ps(v, _mm256_setzero_ps());
  if (act == TOPK_ACT_RELU6) return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
  return v;
}

/* Copies n floats (runs of im2col rows are short: often ci = 3). */
static inline void copy_floats(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

/* Packs the [k, n] operand (or its transpose [n, k]) into zero-padded panels of NR columns. */
static void pack_b(const float *w, float *bp, int K, int N, int trans) {
  int panels = (N + NR - 1) / NR;
  for (int j = 0; j < panels; j++) {
    float *dst = bp + (size_t)j * K * NR;
    int n0 = j * NR, cols = imin(NR, N - n0);
    for (int k = 0; k < K; k++) {
      float *d = dst + (size_t)k * NR;
      if (!trans) {
        const float *s = w + (size_t)k * N + n0;
        int c = 0;
        for (; c < cols; c++) d[c] = s[c];
        for (; c < NR; c++) d[c] = 0.0f;
      } else {
        int c = 0;
        for (; c < cols; c++) d[c] = w[(size_t)(n0 + c) * K + k];
        for (; c < NR; c++) d[c] = 0.0f;
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Convolution (and matmul) forward.                                                                     */

typedef struct {
  const float *x, *bp, *bias, *zeros;
  const float *residual; /* added to the activated output when not NULL, same layout as y */
  const float **ptr_buf; /* per task: taps * MR row pointers */
  float *y;
  topk_conv_geom g;
  float *bias_storage; /* owned copy of the bias, padded to whole panels */
  int act, M, K, taps, mtiles, npanels, tiles_per_task;
} fwd_ctx;

static void fwd_task(void *p, int task) {
  fwd_ctx *c = (fwd_ctx *)p;
  const topk_conv_geom *g = &c->g;
  int t0 = task * c->tiles_per_task, t1 = imin(t0 + c->tiles_per_task, c->mtiles);
  const float **ptrs = c->ptr_buf + (size_t)task * c->taps * MR;
  for (int tile = t0; tile < t1; tile++) {
    int m0 = tile * MR, rows = imin(MR, c->M - m0);
    for (int r = 0; r < MR; r++) {
      int m = m0 + (r < rows ? r : 0);
      int ox = m % g->ow, rest = m / g->ow, oy = rest % g->oh, b = rest / g->oh;
      for (int ky = 0; ky < g->kh; ky++) {
        int iy = oy * g->sh - g->pt + ky * g->dh;
        for (int kx = 0; kx < g->kw; kx++) {
          int ix = ox * g->sw - g->pl + kx * g->dw;
          int inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
          ptrs[(ky * g->kw + kx) * MR + r] =
              inside ? c->x + (((size_t)b * g->h + iy) * g->w + ix) * g->ci : c->zeros;
        }
      }
    }
    for (int j = 0; j < c->npanels; j++) {
      tile_acc acc;
      ukernel(c->taps, ptrs, g->ci, c->bp + (size_t)j * c->K * NR, &acc);
      int n0 = j * NR, cols = imin(NR, g->co - n0);
      __m256 bias0 = _mm256_setzero_ps(), bias1 = bias0;
      if (c->bias != NULL) {
        bias0 = _mm256_loadu_ps(c->bias + n0);
        bias1 = _mm256_loadu_ps(c->bias + n0 + 8);
      }
      for (int r = 0; r < rows; r++) {
        float *out = c->y + (size_t)(m0 + r) * g->co + n0;
        __m256 v0 = activate(_mm256_add_ps(acc.v[r][0], bias0), c->act);
        __m256 v1 = activate(_mm256_add_ps(acc.v[r][1], bias1), c->act);
        if (c->residual != NULL) {
          const float *res = c->residual + (size_t)(m0 + r) * g->co + n0;
          if (cols == NR) {
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
          } else {
            float tmp[NR] = {0};
            for (int q = 0; q < cols; q++) tmp[q] = res[q];
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(tmp));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(tmp + 8));
          }
        }
        if (cols == NR) {
          _mm256_storeu_ps(out, v0);
          _mm256_storeu_ps(out + 8, v1);
        } else {
          float tmp[NR];
          _mm256_storeu_ps(tmp, v0);
          _mm256_storeu_ps(tmp + 8, v1);
          for (int q = 0; q < cols; q++) out[q] = tmp[q];
        }
      }
    }
  }
}

/* Packs the filter and allocates what fwd_task needs for `tasks` tasks; -1 when memory runs out. */
static int fwd_prepare(fwd_ctx *c, const float *w, const float *bias, const topk_conv_geom *g, int act,
                       int trans_w, int tasks) {
  memset(c, 0, sizeof *c);
  c->g = *g;
  c->taps = g->kh * g->kw;
  c->K = c->taps * g->ci;
  c->M = g->n * g->oh * g->ow;
  c->npanels = (g->co + NR - 1) / NR;
  c->mtiles = (c->M + MR - 1) / MR;
  c->act = act;
  float *bp = alloc_floats((size_t)c->npanels * c->K * NR);
  float *zeros = calloc((size_t)g->ci + 1, sizeof(float));
  float *bias_pad = calloc((size_t)c->npanels * NR, sizeof(float));
  c->ptr_buf = malloc(sizeof(float *) * (size_t)imax(tasks, 1) * c->taps * MR);
  c->bp = bp;
  c->zeros = zeros;
  c->bias = bias != NULL ? bias_pad : NULL;
  if (bp == NULL || zeros == NULL || bias_pad == NULL || c->ptr_buf == NULL) {
    free(bp), free(zeros), free(bias_pad), free((void *)c->ptr_buf);
    return -1;
  }
  if (bias != NULL) memcpy(bias_pad, bias, sizeof(float) * (size_t)g->co);
  c->bias_storage = bias_pad;
  pack_b(w, bp, c->K, g->co, trans_w);
  return 0;
}

static void fwd_release(fwd_ctx *c) {
  free((void *)c->bp), free((void *)c->zeros), free(c->bias_storage), free((void *)c->ptr_buf);
}

int topk_conv_forward(const float *x, const float *w, const float *bias, float *y, const topk_conv_geom *g,
                      int act, int trans_w) {
  int threads = topk_get_threads();
  int mtiles = (g->n * g->oh * g->ow + MR - 1) / MR;
  int per_task;
  int tasks = split_units(mtiles, threads * 8, &per_task);
  fwd_ctx c;
  if (fwd_prepare(&c, w, bias, g, act, trans_w, tasks) != 0) return -1;
  c.x = x;
  c.y = y;
  c.tiles_per_task = per_task;
  if (tasks > 0) topk_parallel_for(tasks, fwd_task, &c);
  fwd_release(&c);
  return 0;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Convolution filter gradient.                                                                          */

typedef struct {
  const float *x, *dy, *zeros;
  float **partial; /* per task: [mpad, npad] */
  float **bblocks; /* per task: packed im2col block, npanels * KC * NR */
  float **ablocks; /* per task: dy block transposed, [co, KC] */
  topk_conv_geom g;
  int P, N, taps, npanels, mpad, npad, pixels_per_task;
} grad_ctx;

/* Packs im2col rows of pixels [p0, p0 + kc) into panels of NR columns, KC rows apart. */
static void pack_im2col_block(const grad_ctx *c, float *bp, int p0, int kc) {
  const topk_conv_geom *g = &c->g;
  const int ci = g->ci;
  /* Narrow rows (a 3-channel stem: 27 values) are gathered into a contiguous row first and then stored
     as whole panel rows, instead of many short runs with lane arithmetic. */
  const int narrow = c->npad <= 256;
  float row[256];
  int ox = p0 % g->ow, rest = p0 / g->ow, oy = rest % g->oh, b = rest / g->oh;
  for (int kk = 0; kk < kc; kk++) {
    int col = 0;
    for (int ky = 0; ky < g->kh; ky++) {
      int iy = oy * g->sh - g->pt + ky * g->dh;
      for (int kx = 0; kx < g->kw; kx++) {
        int ix = ox * g->sw - g->pl + kx * g->dw;
        const float *src = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w
                               ? c->x + (((size_t)b * g->h + iy) * g->w + ix) * ci
                               : c->zeros;
        if (narrow) {
          for (int q = 0; q < ci; q++) row[col + q] = src[q];
          col += ci;
          continue;
        }
        int ch = 0;
        while (ch < ci) {
          int lane = col & (NR - 1);
          int run = imin(NR - lane, ci - ch);
          float *dst = bp + ((size_t)(col / NR) * KC + kk) * NR + lane;
          copy_floats(dst, src + ch, run);
          ch += run;
          col += run;
        }
      }
    }
    if (narrow) {
      for (; col < c->npad; col++) row[col] = 0.0f;
      for (int j = 0; j < c->npanels; j++) {
        float *dst = bp + ((size_t)j * KC + kk) * NR;
        _mm256_storeu_ps(dst, _mm256_loadu_ps(row + j * NR));
        _mm256_storeu_ps(dst + 8, _mm256_loadu_ps(row + j * NR + 8));
      }
    } else {
      for (; col < c->npad; col++) bp[((size_t)(col / NR) * KC + kk) * NR + (col & (NR - 1))] = 0.0f;
    }
    if (++ox == g->ow) {
      ox = 0;
      if (++oy == g->oh) oy = 0, b++;
    }
  }
}

static void grad_task(void *p, int task) {
  grad_ctx *c = (grad_ctx *)p;
  int p_begin = task * c->pixels_per_task, p_end = imin(p_begin + c->pixels_per_task, c->P);
  float *acc_buf = c->partial[task];
  float *bp = c->bblocks[task];
  float *at = c->ablocks[task];
  memset(acc_buf, 0, sizeof(float) * (size_t)c->mpad * c->npad);
  int co = c->g.co;
  for (int k0 = p_begin; k0 < p_end; k0 += KC) {
    int kc = imin(KC, p_end - k0);
    pack_im2col_block(c, bp, k0, kc);
    /* dy rows [k0, k0 + kc) transposed into at [co, KC], in blocks of 8 pixels */
    for (int kk0 = 0; kk0 < kc; kk0 += 8) {
      int kk1 = imin(kk0 + 8, kc);
      for (int o = 0; o < co; o++) {
        const float *src = c->dy + (size_t)(k0 + kk0) * co + o;
        float *dst = at + (size_t)o * KC + kk0;
        for (int kk = 0; kk < kk1 - kk0; kk++) dst[kk] = src[(size_t)kk * co];
      }
    }
    for (int m0 = 0; m0 < co; m0 += MR) {
      const float *ptrs[MR];
      for (int r = 0; r < MR; r++) ptrs[r] = at + (size_t)imin(m0 + r, co - 1) * KC;
      for (int j = 0; j < c->npanels; j++) {
        tile_acc acc;
        /* The block's panels are KC rows apart; only the first kc rows are filled. */
        ukernel(1, ptrs, kc, bp + (size_t)j * KC * NR, &acc);
        for (int r = 0; r < MR; r++) {
          float *out = acc_buf + (size_t)(m0 + r) * c->npad + j * NR;
          _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), acc.v[r][0]));
          _mm256_storeu_ps(out + 8, _mm256_add_ps(_mm256_loadu_ps(out + 8), acc.v[r][1]));
        }
      }
    }
  }
}

int topk_conv_filter_grad(const float *x, const float *dy, float *dw, const topk_conv_geom *g) {
  grad_ctx c;
  c.g = *g;
  c.x = x;
  c.taps = g->kh * g->kw;
  c.N = c.taps * g->ci;
  c.P = g->n * g->oh * g->ow;
  c.npanels = (c.N + NR - 1) / NR;
  c.npad = c.npanels * NR;
  c.mpad = (g->co + MR - 1) / MR * MR;
  int threads = topk_get_threads();
  /* No pixels: no tasks, and the sum over none below writes zeros. */
  int tasks = split_units(c.P, imin(threads, (c.P + KC - 1) / KC), &c.pixels_per_task);
  float *zeros = calloc((size_t)g->ci + 1, sizeof(float));
  float *partial[MAX_THREADS] = {0};
  float *bblocks[MAX_THREADS] = {0};
  float *ablocks[MAX_THREADS] = {0};
  int ok = zeros != NULL;
  for (int t = 0; t < tasks && ok; t++) {
    partial[t] = alloc_floats((size_t)c.mpad * c.npad);
    bblocks[t] = alloc_floats((size_t)c.npanels * KC * NR);
    ablocks[t] = alloc_floats((size_t)imax(g->co, 1) * KC);
    ok = partial[t] != NULL && bblocks[t] != NULL && ablocks[t] != NULL;
  }
  if (ok) {
    c.dy = dy;
    c.zeros = zeros;
    c.partial = partial;
    c.bblocks = bblocks;
    c.ablocks = ablocks;
    topk_parallel_for(tasks, grad_task, &c);
    for (int col = 0; col < c.N; col++)
      for (int o = 0; o < g->co; o++) {
        float s = 0.0f;
        for (int t = 0; t < tasks; t++) s += partial[t][(size_t)o * c.npad + col];
        dw[(size_t)col * g->co + o] = s;
      }
  }
  for (int t = 0; t < MAX_THREADS; t++) free(partial[t]), free(bblocks[t]), free(ablocks[t]);
  free(zeros);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Depthwise convolution (channel multiplier 1).                                                         */

typedef struct {
  const float *x, *w, *bias;
  float *y;
  topk_conv_geom g;
  int act, rows_per_task;
  __m256i tail_mask;
} dw_ctx;

/* out[0..C) = act(bias + sum over taps t of xs[t][c] * ws[t][c]), C = c->g.ci. */
static void dw_accumulate(const dw_ctx *c, float *out, const float *const *xs, const float *const *ws, int taps) {
  const int C = c->g.ci, full = C & ~7;
  int c0 = 0;
  /* four independent accumulators hide the FMA latency */
  for (; c0 + 32 <= C; c0 += 32) {
    __m256 a0, a1, a2, a3;
    if (c->bias != NULL) {
      a0 = _mm256_loadu_ps(c->bias + c0), a1 = _mm256_loadu_ps(c->bias + c0 + 8);
      a2 = _mm256_loadu_ps(c->bias + c0 + 16), a3 = _mm256_loadu_ps(c->bias + c0 + 24);
    } else {
      a0 = a1 = a2 = a3 = _mm256_setzero_ps();
    }
    for (int t = 0; t < taps; t++) {
      const float *xv = xs[t] + c0, *wv = ws[t] + c0;
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(xv), _mm256_loadu_ps(wv), a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(xv + 8), _mm256_loadu_ps(wv + 8), a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(xv + 16), _mm256_loadu_ps(wv + 16), a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(xv + 24), _mm256_loadu_ps(wv + 24), a3);
    }
    _mm256_storeu_ps(out + c0, activate(a0, c->act));
    _mm256_storeu_ps(out + c0 + 8, activate(a1, c->act));
    _mm256_storeu_ps(out + c0 + 16, activate(a2, c->act));
    _mm256_storeu_ps(out + c0 + 24, activate(a3, c->act));
  }
  for (; c0 < full; c0 += 8) {
    __m256 a0 = c->bias != NULL ? _mm256_loadu_ps(c->bias + c0) : _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int t = 0;
    for (; t + 2 <= taps; t += 2) {
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(xs[t] + c0), _mm256_loadu_ps(ws[t] + c0), a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(xs[t + 1] + c0), _mm256_loadu_ps(ws[t + 1] + c0), a1);
    }
    if (t < taps) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(xs[t] + c0), _mm256_loadu_ps(ws[t] + c0), a0);
    _mm256_storeu_ps(out + c0, activate(_mm256_add_ps(a0, a1), c->act));
  }
  if (c0 < C) {
    const __m256i m = c->tail_mask;
    __m256 a0 = c->bias != NULL ? _mm256_maskload_ps(c->bias + c0, m) : _mm256_setzero_ps();
    for (int t = 0; t < taps; t++)
      a0 = _mm256_fmadd_ps(_mm256_maskload_ps(xs[t] + c0, m), _mm256_maskload_ps(ws[t] + c0, m), a0);
    _mm256_maskstore_ps(out + c0, m, activate(a0, c->act));
  }
}

/* One output pixel, any filter size and border: the taps inside the image, then all channels. */
static void dw_pixel(const dw_ctx *c, int b, int oy, int ox) {
  const topk_conv_geom *g = &c->g;
  const int C = g->ci;
  float *out = c->y + (((size_t)b * g->oh + oy) * g->ow + ox) * C;
  /* the taps inside the image, as input and weight pointers at channel 0 */
  const float *xs[TOPK_DEPTHWISE_MAX_TAPS], *ws[TOPK_DEPTHWISE_MAX_TAPS];
  int taps = 0;
  for (int ky = 0; ky < g->kh; ky++) {
    int iy = oy * g->sh - g->pt + ky * g->dh;
    if (iy < 0 || iy >= g->h) continue;
    for (int kx = 0; kx < g->kw; kx++) {
      int ix = ox * g->sw - g->pl + kx * g->dw;
      if (ix < 0 || ix >= g->w) continue;
      xs[taps] = c->x + (((size_t)b * g->h + iy) * g->w + ix) * C;
      ws[taps] = c->w + (size_t)(ky * g->kw + kx) * C;
      taps++;
    }
  }
  dw_accumulate(c, out, xs, ws, taps);
}

/*
 * Interior pixels [ox0, ox1) of an output row of a 3x3 filter whose three input rows are all inside the
 * image: each block of 8 channels keeps its 9 weights in registers and computes 4 pixels at a time.
 */
static void dw_row_3x3(const dw_ctx *c, int b, int oy, int ox0, int ox1) {
  const topk_conv_geom *g = &c->g;
  const int C = g->ci;
  const size_t step = (size_t)g->sw * C, tap_x = (size_t)g->dw * C;
  const float *rows[3];
  for (int ky = 0; ky < 3; ky++)
    rows[ky] = c->x + (((size_t)b * g->h + oy * g->sh - g->pt + ky * g->dh) * g->w + (ox0 * g->sw - g->pl)) * C;
  float *out_row = c->y + (((size_t)b * g->oh + oy) * g->ow + ox0) * C;
  const int n = ox1 - ox0;
  for (int c0 = 0; c0 < C; c0 += 8) {
    const int tail = c0 + 8 > C;
    const __m256i m = tail ? c->tail_mask : _mm256_set1_epi32(-1);
    __m256 w[9];
    for (int t = 0; t < 9; t++) w[t] = _mm256_maskload_ps(c->w + (size_t)t * C + c0, m);
    const __m256 bias = c->bias != NULL ? _mm256_maskload_ps(c->bias + c0, m) : _mm256_setzero_ps();
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      __m256 a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      for (int ky = 0; ky < 3; ky++) {
        const float *r = rows[ky] + (size_t)i * step + c0;
        for (int kx = 0; kx < 3; kx++) {
          const float *q = r + kx * tap_x;
          const __m256 wt = w[ky * 3 + kx];
          a0 = _mm256_fmadd_ps(_mm256_maskload_ps(q, m), wt, a0);
          a1 = _mm256_fmadd_ps(_mm256_maskload_ps(q + step, m), wt, a1);
          a2 = _mm256_fmadd_ps(_mm256_maskload_ps(q + 2 * step, m), wt, a2);
          a3 = _mm256_fmadd_ps(_mm256_maskload_ps(q + 3 * step, m), wt, a3);
        }
      }
      float *o = out_row + (size_t)i * C + c0;
      _mm256_maskstore_ps(o, m, activate(a0, c->act));
      _mm256_maskstore_ps(o + C, m, activate(a1, c->act));
      _mm256_maskstore_ps(o + 2 * C, m, activate(a2, c->act));
      _mm256_maskstore_ps(o + 3 * C, m, activate(a3, c->act));
    }
    for (; i < n; i++) {
      __m256 a0 = bias;
      for (int ky = 0; ky < 3; ky++) {
        const float *r = rows[ky] + (size_t)i * step + c0;
        for (int kx = 0; kx < 3; kx++) a0 = _mm256_fmadd_ps(_mm256_maskload_ps(r + kx * tap_x, m), w[ky * 3 + kx], a0);
      }
      _mm256_maskstore_ps(out_row + (size_t)i * C + c0, m, activate(a0, c->act));
    }
  }
}

static void dw_task(void *p, int task) {
  const dw_ctx *c = (const dw_ctx *)p;
  const topk_conv_geom *g = &c->g;
  const int rows = g->n * g->oh;
  const int r0 = task * c->rows_per_task, r1 = imin(r0 + c->rows_per_task, rows);
  /* output columns whose three input columns are all inside the image */
  int ox0 = 0, ox1 = 0;
  if (g->kh == 3 && g->kw == 3) {
    while (ox0 < g->ow && ox0 * g->sw - g->pl < 0) ox0++;
    ox1 = ox0;
    while (ox1 < g->ow && ox1 * g->sw - g->pl + 2 * g->dw < g->w) ox1++;
  }
  for (int row = r0; row < r1; row++) {
    const int oy = row % g->oh, b = row / g->oh;
    const int top = oy * g->sh - g->pt;
    const int rows_inside = top >= 0 && top + 2 * g->dh < g->h;
    if (ox1 > ox0 && rows_inside) {
      for (int ox = 0; ox < ox0; ox++) dw_pixel(c, b, oy, ox);
      dw_row_3x3(c, b, oy, ox0, ox1);
      for (int ox = ox1; ox < g->ow; ox++) dw_pixel(c, b, oy, ox);
    } else {
      for (int ox = 0; ox < g->ow; ox++) dw_pixel(c, b, oy, ox);
    }
  }
}

int topk_depthwise_forward(const float *x, const float *w, const float *bias, float *y, const topk_conv_geom *g,
                           int act) {
  if (g->kh * g->kw > TOPK_DEPTHWISE_MAX_TAPS) return -1;
  dw_ctx c;
  c.g = *g;
  c.x = x, c.w = w, c.bias = bias, c.y = y, c.act = act;
  c.tail_mask = tail_mask_for(g->ci);
  int tasks = split_units(g->n * g->oh, topk_get_threads() * 4, &c.rows_per_task);
  topk_parallel_for(tasks, dw_task, &c);
  return 0;
}

/*
 * Depthwise input gradient (channel multiplier 1), gathered per input pixel so that threads never write
 * the same value: dx[b, iy, ix, c] = sum over taps (ky, kx) whose output pixel oy = (iy + pt - ky) / sh,
 * ox = (ix + pl - kx) / sw is whole and inside dy, of dy[b, oy, ox, c] * w[ky, kx, c]. Strided layers need
 * no dilated copy of dy: only the taps that land on an output pixel are visited.
 */
typedef struct {
  dw_ctx acc; /* its g, w; bias NULL, act linear */
  const float *dy;
  float *dx;
  int rows_per_task;
} dwbi_ctx;

static void dwbi_task(void *p, int task) {
  const dwbi_ctx *c = (const dwbi_ctx *)p;
  const topk_conv_geom *g = &c->acc.g;
  const int C = g->ci, rows = g->n * g->h;
  const int r0 = task * c->rows_per_task, r1 = imin(r0 + c->rows_per_task, rows);
  const float *ds[TOPK_DEPTHWISE_MAX_TAPS], *ws[TOPK_DEPTHWISE_MAX_TAPS];
  for (int row = r0; row < r1; row++) {
    const int iy = row % g->h, b = row / g->h;
    for (int ix = 0; ix < g->w; ix++) {
      int taps = 0;
      for (int ky = 0; ky < g->kh; ky++) {
        int t = iy + g->pt - ky * g->dh;
        if (t < 0 || t % g->sh != 0 || t / g->sh >= g->oh) continue;
        int oy = t / g->sh;
        for (int kx = 0; kx < g->kw; kx++) {
          int u = ix + g->pl - kx * g->dw;
          if (u < 0 || u % g->sw != 0 || u / g->sw >= g->ow) continue;
          ds[taps] = c->dy + (((size_t)b * g->oh + oy) * g->ow + u / g->sw) * C;
          ws[taps] = c->acc.w + (size_t)(ky * g->kw + kx) * C;
          taps++;
        }
      }
      dw_accumulate(&c->acc, c->dx + (((size_t)b * g->h + iy) * g->w + ix) * C, ds, ws, taps);
    }
  }
}

int topk_depthwise_input_grad(const float *dy, const float *w, float *dx, const topk_conv_geom *g) {
  if (g->kh * g->kw > TOPK_DEPTHWISE_MAX_TAPS) return -1;
  dwbi_ctx c;
  memset(&c, 0, sizeof c);
  c.acc.g = *g, c.acc.w = w, c.acc.act = TOPK_ACT_LINEAR;
  c.acc.tail_mask = tail_mask_for(g->ci);
  c.dy = dy, c.dx = dx;
  int tasks = split_units(g->n * g->h, topk_get_threads() * 4, &c.rows_per_task);
  topk_parallel_for(tasks, dwbi_task, &c);
  return 0;
}

/* ---------------------------------------------------------------------------------------------------- */
/* MobileNetV2 inverted residual block, one image at a time so the expanded tensor stays in cache.       */

typedef struct {
  const float *x;
  float *y;
  fwd_ctx expand, project; /* prepared for one image; expand unused when has_expand is 0 */
  dw_ctx depthwise;
  float **bufs; /* per task: expanded [h*w*hidden] then depthwise output [oh*ow*hidden] */
  const float ***ptr_bufs; /* per task: row pointers for the 1x1 convolutions */
  int has_expand, residual, images_per_task, n;
  size_t in_size, expanded_size, out_size;
} ir_ctx;

static void ir_task(void *p, int task) {
  const ir_ctx *c = (const ir_ctx *)p;
  int i0 = task * c->images_per_task, i1 = imin(i0 + c->images_per_task, c->n);
  float *expanded = c->bufs[task];
  float *dwout = expanded + c->expanded_size;
  for (int i = i0; i < i1; i++) {
    const float *x = c->x + (size_t)i * c->in_size;
    const float *hidden = x;
    if (c->has_expand) {
      fwd_ctx e = c->expand;
      e.x = x, e.y = expanded, e.ptr_buf = c->ptr_bufs[task], e.tiles_per_task = e.mtiles;
      fwd_task(&e, 0);
      hidden = expanded;
    }
    dw_ctx d = c->depthwise;
    d.x = hidden, d.y = dwout, d.rows_per_task = d.g.oh;
    dw_task(&d, 0);
    fwd_ctx pr = c->project;
    pr.x = dwout, pr.y = c->y + (size_t)i * c->out_size, pr.ptr_buf = c->ptr_bufs[task];
    pr.tiles_per_task = pr.mtiles, pr.residual = c->residual ? x : NULL;
    fwd_task(&pr, 0);
  }
}

int topk_inverted_residual(const float *x, const float *we, const float *be, const float *wd, const float *bd,
                           const float *wp, const float *bp, float *y, const topk_ir_geom *g) {
  if (g->kh * g->kw > TOPK_DEPTHWISE_MAX_TAPS) return -1;
  ir_ctx c;
  memset(&c, 0, sizeof c);
  c.x = x, c.y = y, c.n = g->n, c.has_expand = we != NULL, c.residual = g->residual;
  int hidden = c.has_expand ? g->hidden : g->ci;
  int tasks = split_units(g->n, topk_get_threads(), &c.images_per_task);
  c.in_size = (size_t)g->h * g->w * g->ci;
  c.expanded_size = (size_t)g->h * g->w * hidden;
  c.out_size = (size_t)g->oh * g->ow * g->co;
  topk_conv_geom ge = {1, g->h, g->w, g->ci, g->h, g->w, hidden, 1, 1, 1, 1, 1, 1, 0, 0};
  topk_conv_geom gd = {1, g->h, g->w, hidden, g->oh, g->ow, hidden, g->kh, g->kw, g->sh, g->sw, 1, 1, g->pt, g->pl};
  topk_conv_geom gp = {1, g->oh, g->ow, hidden, g->oh, g->ow, g->co, 1, 1, 1, 1, 1, 1, 0, 0};
  int ok = 1, expand_ready = 0, project_ready = 0;
  if (c.has_expand) ok = expand_ready = fwd_prepare(&c.expand, we, be, &ge, g->act_expand, 0, 1) == 0;
  if (ok) ok = project_ready = fwd_prepare(&c.project, wp, bp, &gp, g->act_project, 0, 1) == 0;
  c.depthwise.g = gd, c.depthwise.w = wd, c.depthwise.bias = bd, c.depthwise.act = g->act_depthwise;
  c.depthwise.tail_mask = tail_mask_for(hidden);
  float *bufs[MAX_THREADS] = {0};
  const float **ptr_bufs[MAX_THREADS] = {0};
  for (int t = 0; t < tasks && ok; t++) {
    bufs[t] = alloc_floats(c.expanded_size + (size_t)g->oh * g->ow * hidden);
    ptr_bufs[t] = malloc(sizeof(float *) * MR);
    ok = bufs[t] != NULL && ptr_bufs[t] != NULL;
  }
  if (ok && tasks > 0) {
    c.bufs = bufs;
    c.ptr_bufs = ptr_bufs;
    topk_parallel_for(tasks, ir_task, &c);
  }
  for (int t = 0; t < MAX_THREADS; t++) free(bufs[t]), free((void *)ptr_bufs[t]);
  if (expand_ready) fwd_release(&c.expand);
  if (project_ready) fwd_release(&c.project);
  return ok ? 0 : -1;
}
