// topk's WebAssembly SIMD kernels for the tfjs wasm backend.
//
// The module imports the wasm backend's own linear memory, so every pointer below is an offset into the
// heap where tfjs keeps its tensors: no copies in or out. It must therefore own no memory of its own: no
// data segments, no static variables and no stack frames (the build script checks the binary for all
// three). Everything is plain loops over 128-bit vectors (wasm_simd128.h), with scalar tails.
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) __attribute__((visibility("default")))

typedef float f32;
typedef int32_t i32;

static inline void zero(f32 *p, i32 n) {
  i32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.f));
  for (; i < n; i++) p[i] = 0.f;
}

// out[c] = Σ_r x[r, c] for a row-major [rows, cols] matrix: the bias gradient of conv and dense layers,
// i.e. Sum over every axis but the last.
EXPORT(topk_sum_rows)
void topk_sum_rows(const f32 *x, f32 *out, i32 rows, i32 cols) {
  zero(out, cols);
  // Blocks of rows accumulate in the output (it stays in L1); 4 row-pointers at a time halve the stores.
  i32 r = 0;
  for (; r + 4 <= rows; r += 4) {
    const f32 *a = x + (int64_t)r * cols;
    const f32 *b = a + cols, *c = b + cols, *d = c + cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_v128_load(a + j), wasm_v128_load(b + j)),
                                wasm_f32x4_add(wasm_v128_load(c + j), wasm_v128_load(d + j)));
      wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), s));
    }
    for (; j < cols; j++) out[j] += (a[j] + b[j]) + (c[j] + d[j]);
  }
  for (; r < rows; r++) {
    const f32 *a = x + (int64_t)r * cols;
    for (i32 j = 0; j < cols; j++) out[j] += a[j];
  }
}

// MaxPoolGrad, NHWC: each output gradient goes to the first maximum of its window in row-major order
// (tfjs cpu's rule). `y` is the forward output, so that maximum is the first element equal to it; four
// channels at a time carry a mask of lanes still looking for it.
EXPORT(topk_max_pool_grad)
void topk_max_pool_grad(const f32 *x, const f32 *y, const f32 *dy, f32 *dx, i32 n, i32 h, i32 w, i32 c,
                        i32 oh, i32 ow, i32 fh, i32 fw, i32 sh, i32 sw, i32 pt, i32 pl) {
  zero(dx, n * h * w * c);
  for (i32 b = 0; b < n; b++) {
    for (i32 oy = 0; oy < oh; oy++) {
      i32 y0 = oy * sh - pt;
      i32 yMin = y0 < 0 ? 0 : y0;
      i32 yMax = y0 + fh > h ? h : y0 + fh;
      for (i32 ox = 0; ox < ow; ox++) {
        i32 x0 = ox * sw - pl;
        i32 xMin = x0 < 0 ? 0 : x0;
        i32 xMax = x0 + fw > w ? w : x0 + fw;
        i32 o = ((b * oh + oy) * ow + ox) * c;
        i32 ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          v128_t m = wasm_v128_load(y + o + ch);
          v128_t g = wasm_v128_load(dy + o + ch);
          v128_t open = wasm_i32x4_splat(-1);
          for (i32 yy = yMin; yy < yMax; yy++) {
            for (i32 xx = xMin; xx < xMax; xx++) {
              i32 k = ((b * h + yy) * w + xx) * c + ch;
              v128_t hit = wasm_v128_and(wasm_f32x4_eq(wasm_v128_load(x + k), m), open);
              wasm_v128_store(dx + k, wasm_f32x4_add(wasm_v128_load(dx + k), wasm_v128_and(g, hit)));
              open = wasm_v128_andnot(open, hit);
            }
          }
        }
        for (; ch < c; ch++) {
          f32 m = y[o + ch];
          i32 found = 0;
          for (i32 yy = yMin; yy < yMax && !found; yy++) {
            for (i32 xx = xMin; xx < xMax; xx++) {
              i32 k = ((b * h + yy) * w + xx) * c + ch;
              if (x[k] == m) {
                dx[k] += dy[o + ch];
                found = 1;
                break;
              }
            }
          }
        }
      }
    }
  }
}

// Transposed im2col for NHWC convolutions: row k = (i, j, ch) of `cols` (kh·kw·c rows of n·oh·ow values)
// holds, for every output pixel p = (b, oy, ox), the input value that tap reads (0 over the padding), so
// that dW[k, co] = Σ_p cols[k, p] · dY[p, co] is one plain matrix product. Output pixels are visited in
// blocks of 64 along a row so that the input they read stays in cache while the rows are written.
EXPORT(topk_im2col_t)
void topk_im2col_t(const f32 *x, f32 *cols, i32 n, i32 h, i32 w, i32 c, i32 oh, i32 ow, i32 kh, i32 kw, i32 sh,
                   i32 sw, i32 dh, i32 dwl, i32 pt, i32 pl) {
  int64_t pixels = (int64_t)n * oh * ow;
  for (i32 b = 0; b < n; b++) {
    for (i32 oy = 0; oy < oh; oy++) {
      int64_t p0 = ((int64_t)b * oh + oy) * ow;
      for (i32 ox0 = 0; ox0 < ow; ox0 += 64) {
        i32 ox1 = ox0 + 64 < ow ? ox0 + 64 : ow;
        for (i32 i = 0; i < kh; i++) {
          i32 iy = oy * sh + i * dh - pt;
          i32 rowOk = iy >= 0 && iy < h;
          const f32 *xrow = x + ((int64_t)b * h + (rowOk ? iy : 0)) * w * c;
          for (i32 j = 0; j < kw; j++) {
            for (i32 ch = 0; ch < c; ch++) {
              f32 *dst = cols + ((int64_t)(i * kw + j) * c + ch) * pixels + p0;
              for (i32 ox = ox0; ox < ox1; ox++) {
                i32 ix = ox * sw + j * dwl - pl;
                dst[ox] = (rowOk && ix >= 0 && ix < w) ? xrow[(int64_t)ix * c + ch] : 0.f;
              }
            }
          }
        }
      }
    }
  }
}

// AvgPoolGrad, NHWC: each output gradient is spread over the in-bounds pixels of its window, divided by
// their count (as the forward AvgPool divides).
EXPORT(topk_avg_pool_grad)
void topk_avg_pool_grad(const f32 *dy, f32 *dx, i32 n, i32 h, i32 w, i32 c, i32 oh, i32 ow, i32 fh, i32 fw,
                        i32 sh, i32 sw, i32 pt, i32 pl) {
  zero(dx, n * h * w * c);
  for (i32 b = 0; b < n; b++) {
    for (i32 oy = 0; oy < oh; oy++) {
      i32 y0 = oy * sh - pt;
      i32 yMin = y0 < 0 ? 0 : y0;
      i32 yMax = y0 + fh > h ? h : y0 + fh;
      for (i32 ox = 0; ox < ow; ox++) {
        i32 x0 = ox * sw - pl;
        i32 xMin = x0 < 0 ? 0 : x0;
        i32 xMax = x0 + fw > w ? w : x0 + fw;
        i32 count = (yMax - yMin) * (xMax - xMin);
        if (count <= 0) continue;
        f32 inv = 1.f / (f32)count;
        v128_t vinv = wasm_f32x4_splat(inv);
        const f32 *g = dy + ((b * oh + oy) * ow + ox) * c;
        for (i32 yy = yMin; yy < yMax; yy++) {
          for (i32 xx = xMin; xx < xMax; xx++) {
            f32 *d = dx + ((b * h + yy) * w + xx) * c;
            i32 ch = 0;
            for (; ch + 4 <= c; ch += 4)
              wasm_v128_store(d + ch, wasm_f32x4_add(wasm_v128_load(d + ch), wasm_f32x4_mul(wasm_v128_load(g + ch), vinv)));
            for (; ch < c; ch++) d[ch] += g[ch] * inv;
          }
        }
      }
    }
  }
}

// DepthwiseConv2dNativeBackpropFilter, NHWC input, filter [kh, kw, c, m]:
// dw[i, j, ch·m + q] = Σ_{b, oy, ox} x[b, oy·sh + i·dh − pt, ox·sw + j·dw − pl, ch] · dy[b, oy, ox, ch·m + q]
// With m = 1 each (output row, tap, block of 16 channels) sums along the row in four vector registers and
// adds once into dw: the input and gradient rows stay in L1 and dw is not reloaded for every pixel.
EXPORT(topk_depthwise_filter_grad)
void topk_depthwise_filter_grad(const f32 *x, const f32 *dy, f32 *dw, i32 n, i32 h, i32 w, i32 c, i32 oh, i32 ow,
                                i32 kh, i32 kw, i32 mult, i32 sh, i32 sw, i32 dh, i32 dwl, i32 pt, i32 pl) {
  i32 cm = c * mult;
  zero(dw, kh * kw * cm);
  for (i32 b = 0; b < n; b++) {
    for (i32 oy = 0; oy < oh; oy++) {
      const f32 *grow = dy + ((int64_t)b * oh + oy) * ow * cm;
      for (i32 i = 0; i < kh; i++) {
        i32 iy = oy * sh + i * dh - pt;
        if (iy < 0 || iy >= h) continue;
        const f32 *xrow = x + ((int64_t)b * h + iy) * w * c;
        for (i32 j = 0; j < kw; j++) {
          // Output columns whose input column ox·sw + j·dw − pl lies inside the image.
          i32 lo = 0, hi = ow;
          while (lo < ow && lo * sw + j * dwl - pl < 0) lo++;
          while (hi > lo && (hi - 1) * sw + j * dwl - pl >= w) hi--;
          if (lo >= hi) continue;
          f32 *d = dw + (i * kw + j) * cm;
          if (mult == 1) {
            i32 ch = 0;
            for (; ch + 16 <= c; ch += 16) {
              v128_t a0 = wasm_f32x4_splat(0.f), a1 = a0, a2 = a0, a3 = a0;
              for (i32 ox = lo; ox < hi; ox++) {
                const f32 *xp = xrow + (int64_t)(ox * sw + j * dwl - pl) * c + ch;
                const f32 *g = grow + (int64_t)ox * cm + ch;
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(g)));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(g + 4)));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), wasm_v128_load(g + 8)));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), wasm_v128_load(g + 12)));
              }
              wasm_v128_store(d + ch, wasm_f32x4_add(wasm_v128_load(d + ch), a0));
              wasm_v128_store(d + ch + 4, wasm_f32x4_add(wasm_v128_load(d + ch + 4), a1));
              wasm_v128_store(d + ch + 8, wasm_f32x4_add(wasm_v128_load(d + ch + 8), a2));
              wasm_v128_store(d + ch + 12, wasm_f32x4_add(wasm_v128_load(d + ch + 12), a3));
            }
            for (; ch + 4 <= c; ch += 4) {
              v128_t a = wasm_f32x4_splat(0.f);
              for (i32 ox = lo; ox < hi; ox++) {
                const f32 *xp = xrow + (int64_t)(ox * sw + j * dwl - pl) * c + ch;
                a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(grow + (int64_t)ox * cm + ch)));
              }
              wasm_v128_store(d + ch, wasm_f32x4_add(wasm_v128_load(d + ch), a));
            }
            for (; ch < c; ch++) {
              f32 a = 0.f;
              for (i32 ox = lo; ox < hi; ox++) a += xrow[(int64_t)(ox * sw + j * dwl - pl) * c + ch] * grow[(int64_t)ox * cm + ch];
              d[ch] += a;
            }
          } else {
            for (i32 ox = lo; ox < hi; ox++) {
              const f32 *xp = xrow + (int64_t)(ox * sw + j * dwl - pl) * c;
              const f32 *g = grow + (int64_t)ox * cm;
              for (i32 ch = 0; ch < c; ch++) {
                f32 xv = xp[ch];
                for (i32 q = 0; q < mult; q++) d[ch * mult + q] += xv * g[ch * mult + q];
              }
            }
          }
        }
      }
    }
  }
}

// dst[r, :] = src[:] for r < rows: Tile of a tensor whose leading axes are 1 (a per-channel vector
// broadcast over batch and space, as batch-norm gradients do).
EXPORT(topk_tile_rows)
void topk_tile_rows(const f32 *src, f32 *dst, i32 rows, i32 cols) {
  for (i32 r = 0; r < rows; r++) {
    f32 *d = dst + (int64_t)r * cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) wasm_v128_store(d + j, wasm_v128_load(src + j));
    for (; j < cols; j++) d[j] = src[j];
  }
}

// y[r, c] = (x[r, c] − m[c]) · a[c] + b[c]: batch-norm with scale/√(var + ε) folded into a. The mean is
// subtracted first, as tfjs does, so that large means do not cancel catastrophically.
EXPORT(topk_channel_affine)
void topk_channel_affine(const f32 *x, const f32 *m, const f32 *a, const f32 *b, f32 *y, i32 rows, i32 cols) {
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + (int64_t)r * cols;
    f32 *yr = y + (int64_t)r * cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4)
      wasm_v128_store(yr + j, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + j), wasm_v128_load(m + j)),
                                                            wasm_v128_load(a + j)),
                                             wasm_v128_load(b + j)));
    for (; j < cols; j++) yr[j] = (xr[j] - m[j]) * a[j] + b[j];
  }
}

// The two per-channel sums a batch-norm gradient needs, in one pass:
// s1[c] = Σ_r dy[r, c],  s2[c] = Σ_r dy[r, c] · (x[r, c] − mean[c]).
EXPORT(topk_bn_grad_sums)
void topk_bn_grad_sums(const f32 *x, const f32 *dy, const f32 *mean, f32 *s1, f32 *s2, i32 rows, i32 cols) {
  zero(s1, cols);
  zero(s2, cols);
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + (int64_t)r * cols;
    const f32 *gr = dy + (int64_t)r * cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t g = wasm_v128_load(gr + j);
      v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + j), wasm_v128_load(mean + j));
      wasm_v128_store(s1 + j, wasm_f32x4_add(wasm_v128_load(s1 + j), g));
      wasm_v128_store(s2 + j, wasm_f32x4_add(wasm_v128_load(s2 + j), wasm_f32x4_mul(g, d)));
    }
    for (; j < cols; j++) {
      s1[j] += gr[j];
      s2[j] += gr[j] * (xr[j] - mean[j]);
    }
  }
}

// out[c] = Σ_r (x[r, c] − mean[c])² for a row-major [rows, cols] matrix: batch-norm's variance in training
// (divided by rows afterwards), one pass where tfjs's moments takes a subtraction, a square and a mean.
EXPORT(topk_centered_square_sums)
void topk_centered_square_sums(const f32 *x, const f32 *mean, f32 *out, i32 rows, i32 cols) {
  zero(out, cols);
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + (int64_t)r * cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + j), wasm_v128_load(mean + j));
      wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_f32x4_mul(d, d)));
    }
    for (; j < cols; j++) {
      f32 d = xr[j] - mean[j];
      out[j] += d * d;
    }
  }
}

// dx[r, c] = a[c]·dy[r, c] + b[c]·x[r, c] + k[c]: batch-norm's input gradient in training, with the
// per-channel coefficients folding in the gradients that flow through the batch mean and variance.
EXPORT(topk_bn_input_grad)
void topk_bn_input_grad(const f32 *x, const f32 *dy, const f32 *a, const f32 *b, const f32 *k, f32 *dx, i32 rows,
                        i32 cols) {
  for (i32 r = 0; r < rows; r++) {
    const f32 *xr = x + (int64_t)r * cols;
    const f32 *gr = dy + (int64_t)r * cols;
    f32 *outr = dx + (int64_t)r * cols;
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(gr + j)),
                                wasm_f32x4_mul(wasm_v128_load(b + j), wasm_v128_load(xr + j)));
      wasm_v128_store(outr + j, wasm_f32x4_add(v, wasm_v128_load(k + j)));
    }
    for (; j < cols; j++) outr[j] = a[j] * gr[j] + b[j] * xr[j] + k[j];
  }
}

// out[i, j, o, c] = w[kh − 1 − i, kw − 1 − j, c, o]: a conv filter [kh, kw, ci, co] flipped in both spatial
// axes with its channel axes swapped, the filter of the input gradient as a forward convolution. Each tap is
// a [ci, co] → [co, ci] transpose, done in 4x4 blocks of vector shuffles (tfjs-wasm's generic Reverse took
// 165 ms for a 3x3x512x512 filter).
EXPORT(topk_flip_swap_filter)
void topk_flip_swap_filter(const f32 *w, f32 *out, i32 kh, i32 kw, i32 ci, i32 co) {
  int64_t tap = (int64_t)ci * co;
  for (i32 i = 0; i < kh; i++) {
    for (i32 j = 0; j < kw; j++) {
      const f32 *a = w + ((int64_t)(kh - 1 - i) * kw + (kw - 1 - j)) * tap;
      f32 *b = out + ((int64_t)i * kw + j) * tap;
      i32 c = 0;
      for (; c + 4 <= ci; c += 4) {
        i32 o = 0;
        for (; o + 4 <= co; o += 4) {
          v128_t r0 = wasm_v128_load(a + (int64_t)c * co + o);
          v128_t r1 = wasm_v128_load(a + (int64_t)(c + 1) * co + o);
          v128_t r2 = wasm_v128_load(a + (int64_t)(c + 2) * co + o);
          v128_t r3 = wasm_v128_load(a + (int64_t)(c + 3) * co + o);
          v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
          v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          wasm_v128_store(b + (int64_t)o * ci + c, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
          wasm_v128_store(b + (int64_t)(o + 1) * ci + c, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
          wasm_v128_store(b + (int64_t)(o + 2) * ci + c, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
          wasm_v128_store(b + (int64_t)(o + 3) * ci + c, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
        }
        for (; o < co; o++)
          for (i32 q = 0; q < 4; q++) b[(int64_t)o * ci + c + q] = a[(int64_t)(c + q) * co + o];
      }
      for (; c < ci; c++)
        for (i32 o = 0; o < co; o++) b[(int64_t)o * ci + c] = a[(int64_t)c * co + o];
    }
  }
}

// dx[b, oy·sh + i − pt, ox·sw + j − pl, :] += cols[(b, oy, ox), (i, j, :)] for in-bounds taps: the
// column-to-image scatter of a convolution's input gradient computed as dY · Wᵀ. dx must start zeroed;
// `n` images, dx and cols pointing at the first one.
EXPORT(topk_col2im)
void topk_col2im(const f32 *cols, f32 *dx, i32 n, i32 h, i32 w, i32 c, i32 oh, i32 ow, i32 kh, i32 kw, i32 sh,
                 i32 sw, i32 pt, i32 pl) {
  int64_t rowLength = (int64_t)kh * kw * c;
  for (i32 b = 0; b < n; b++) {
    for (i32 oy = 0; oy < oh; oy++) {
      for (i32 ox = 0; ox < ow; ox++) {
        const f32 *row = cols + (((int64_t)b * oh + oy) * ow + ox) * rowLength;
        for (i32 i = 0; i < kh; i++) {
          i32 iy = oy * sh + i - pt;
          if (iy < 0 || iy >= h) continue;
          for (i32 j = 0; j < kw; j++) {
            i32 ix = ox * sw + j - pl;
            if (ix < 0 || ix >= w) continue;
            const f32 *src = row + ((int64_t)i * kw + j) * c;
            f32 *dst = dx + (((int64_t)b * h + iy) * w + ix) * c;
            i32 k = 0;
            for (; k + 4 <= c; k += 4)
              wasm_v128_store(dst + k, wasm_f32x4_add(wasm_v128_load(dst + k), wasm_v128_load(src + k)));
            for (; k < c; k++) dst[k] += src[k];
          }
        }
      }
    }
  }
}

// dx = dy where lo ≤ x ≤ hi, else 0: the gradient of ClipByValue.
EXPORT(topk_clip_grad)
void topk_clip_grad(const f32 *x, const f32 *dy, f32 *dx, i32 n, f32 lo, f32 hi) {
  v128_t vlo = wasm_f32x4_splat(lo), vhi = wasm_f32x4_splat(hi);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t in = wasm_v128_and(wasm_f32x4_ge(v, vlo), wasm_f32x4_le(v, vhi));
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), in));
  }
  for (; i < n; i++) dx[i] = (x[i] >= lo && x[i] <= hi) ? dy[i] : 0.f;
}

// dx = dy where x > 0, else 0: the gradient of ReLU (tfjs: dy · step(x), step(0) = 0).
EXPORT(topk_relu_grad)
void topk_relu_grad(const f32 *x, const f32 *dy, f32 *dx, i32 n) {
  v128_t z = wasm_f32x4_splat(0.f);
  i32 i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(x + i), z)));
  for (; i < n; i++) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
}

// dx = 2 · x · dy: the gradient of Square.
EXPORT(topk_square_grad)
void topk_square_grad(const f32 *x, const f32 *dy, f32 *dx, i32 n) {
  v128_t two = wasm_f32x4_splat(2.f);
  i32 i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(x + i), two), wasm_v128_load(dy + i)));
  for (; i < n; i++) dx[i] = x[i] * 2.f * dy[i];
}

// dst[r·dstStride + j] = src[r·srcStride + j] for r < rows, j < width: one strided copy of 32-bit values,
// the building block of Concat and Split along any axis (width = the part's extent times the inner block).
EXPORT(topk_copy_rows)
void topk_copy_rows(const f32 *src, f32 *dst, i32 rows, i32 width, i32 srcStride, i32 dstStride) {
  if (width == 1) {
    for (i32 r = 0; r < rows; r++) dst[(int64_t)r * dstStride] = src[(int64_t)r * srcStride];
    return;
  }
  for (i32 r = 0; r < rows; r++) {
    const f32 *s = src + (int64_t)r * srcStride;
    f32 *d = dst + (int64_t)r * dstStride;
    i32 j = 0;
    for (; j + 4 <= width; j += 4) wasm_v128_store(d + j, wasm_v128_load(s + j));
    for (; j < width; j++) d[j] = s[j];
  }
}
