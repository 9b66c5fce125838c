#include "math/tsne_walk.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Leaves this close in both coordinates may hold the point itself. */
static const double SAME = LT_BH_DUPLICATE;
static const double SAME2 = 2 * LT_BH_DUPLICATE * LT_BH_DUPLICATE;

/* The reference: one point's walk, as tsne_grad.c's for other dimensions. */
static void repel_plain(const lt_bh_tree *t, const double *yi, double theta2, double *neg,
                        double *z_out)
{
    const lt_bh_node *nodes = t->nodes;
    size_t n_nodes = t->n_nodes, at = 0;
    double fx = 0, fy = 0, z = 0;
    while (at < n_nodes) {
        const lt_bh_node *nd = &nodes[at];
        double dx = yi[0] - nd->com[0], dy = yi[1] - nd->com[1];
        double d2 = dx * dx + dy * dy;
        if (!(nd->width2 < theta2 * d2)) {
            at++;
            continue;
        }
        if (nd->width2 < 0 && d2 <= SAME2 && fabs(dx) <= SAME && fabs(dy) <= SAME) {
            at = nd->next;
            continue;
        }
        double w = 1.0 / (1.0 + d2), cw = (double)nd->count * w;
        z += cw;
        fx += cw * w * dx;
        fy += cw * w * dy;
        at = nd->next;
    }
    neg[0] = fx;
    neg[1] = fy;
    *z_out = z;
}

#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2")))

/* A group's lanes back to their points: point idx[l] gets lane l's forces
 * (ox, oy) and kernel sum oz. */
static void scatter_group(const uint32_t *idx, size_t m, const double *ox, const double *oy,
                          const double *oz, double *neg, double *z_out)
{
    for (size_t l = 0; l < m; l++) {
        neg[2 * idx[l]] = ox[l];
        neg[2 * idx[l] + 1] = oy[l];
        z_out[idx[l]] = oz[l];
    }
}

/* Lane l is point idx[l]. A lane is live at node AT while skip[l] <= AT;
 * when it takes or skips a cell its skip becomes the cell's next. If no
 * live lane opens the cell, the walk goes to the cell's next: a lane not
 * live here waits for the end of a cell that contains this one, so none
 * is live before that. */
AVX512 static void group_avx512(const lt_bh_tree *t, const double *y, const uint32_t *idx, size_t m,
                                double theta2, double *neg, double *z_out)
{
    enum { H = LT_BH_GROUP / 8 };
    const lt_bh_node *nodes = t->nodes;
    size_t n_nodes = t->n_nodes, at = 0;
    double px[LT_BH_GROUP], py[LT_BH_GROUP];
    for (size_t l = 0; l < LT_BH_GROUP; l++) {
        size_t i = idx[l < m ? l : 0];
        px[l] = y[2 * i];
        py[l] = y[2 * i + 1];
    }
    const __m512d th2 = _mm512_set1_pd(theta2), one = _mm512_set1_pd(1.0);
    const __m512d same = _mm512_set1_pd(SAME), same2 = _mm512_set1_pd(SAME2);
    __m512d yx[H], yy[H], fx[H], fy[H], z[H];
    __m512i skip[H];
    __mmask8 lanes[H];
    for (int h = 0; h < H; h++) {
        yx[h] = _mm512_loadu_pd(px + 8 * h);
        yy[h] = _mm512_loadu_pd(py + 8 * h);
        fx[h] = fy[h] = z[h] = _mm512_setzero_pd();
        skip[h] = _mm512_setzero_si512();
        size_t in = m > 8 * (size_t)h ? m - 8 * (size_t)h : 0;
        lanes[h] = (__mmask8)(in >= 8 ? 0xff : (1u << in) - 1);
    }
    while (at < n_nodes) {
        const lt_bh_node *nd = &nodes[at];
        const __m512d cx = _mm512_set1_pd(nd->com[0]), cy = _mm512_set1_pd(nd->com[1]);
        const __m512d w2 = _mm512_set1_pd(nd->width2), cnt = _mm512_set1_pd((double)nd->count);
        const __m512i atv = _mm512_set1_epi64((long long)at);
        const __m512i next = _mm512_set1_epi64((long long)nd->next);
        const __mmask8 leaf = nd->width2 < 0 ? 0xff : 0;
        unsigned open = 0;
        for (int h = 0; h < H; h++) {
            __mmask8 live = _mm512_mask_cmple_epu64_mask(lanes[h], skip[h], atv);
            __m512d dx = _mm512_sub_pd(yx[h], cx), dy = _mm512_sub_pd(yy[h], cy);
            __m512d d2 = _mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy));
            __mmask8 take = _mm512_mask_cmp_pd_mask(live, w2, _mm512_mul_pd(th2, d2), _CMP_LT_OQ);
            open |= live & (__mmask8)~take;
            skip[h] = _mm512_mask_mov_epi64(skip[h], take, next);
            /* Branch-free: whether lanes take the cell, and whether it is a
             * leaf, change from node to node as a predictor cannot follow
             * (masked adds of lanes not taken leave their sums as they are). */
            __mmask8 dup = _mm512_mask_cmp_pd_mask(take & leaf, d2, same2, _CMP_LE_OQ);
            dup = _mm512_mask_cmp_pd_mask(dup, _mm512_abs_pd(dx), same, _CMP_LE_OQ);
            dup = _mm512_mask_cmp_pd_mask(dup, _mm512_abs_pd(dy), same, _CMP_LE_OQ);
            take &= (__mmask8)~dup;
            __m512d w = _mm512_div_pd(one, _mm512_add_pd(one, d2));
            __m512d cw = _mm512_mul_pd(cnt, w), cww = _mm512_mul_pd(cw, w);
            z[h] = _mm512_mask_add_pd(z[h], take, z[h], cw);
            fx[h] = _mm512_mask_add_pd(fx[h], take, fx[h], _mm512_mul_pd(cww, dx));
            fy[h] = _mm512_mask_add_pd(fy[h], take, fy[h], _mm512_mul_pd(cww, dy));
        }
        at = open ? at + 1 : nd->next;
    }
    double ox[LT_BH_GROUP], oy[LT_BH_GROUP], oz[LT_BH_GROUP];
    for (int h = 0; h < H; h++) {
        _mm512_storeu_pd(ox + 8 * h, fx[h]);
        _mm512_storeu_pd(oy + 8 * h, fy[h]);
        _mm512_storeu_pd(oz + 8 * h, z[h]);
    }
    scatter_group(idx, m, ox, oy, oz, neg, z_out);
}

/* group_avx512 on registers of 4 lanes; masks are vectors of all-ones or
 * zero lanes. (On 4 lanes, one register, the walk took longer than the
 * plain one: more lanes share the walk's control.) */
AVX2 static void group_avx2(const lt_bh_tree *t, const double *y, const uint32_t *idx, size_t m,
                            double theta2, double *neg, double *z_out)
{
    const lt_bh_node *nodes = t->nodes;
    size_t n_nodes = t->n_nodes, at = 0;
    double px[LT_BH_GROUP], py[LT_BH_GROUP];
    long long dead[LT_BH_GROUP];
    for (size_t l = 0; l < LT_BH_GROUP; l++) {
        size_t i = idx[l < m ? l : 0];
        px[l] = y[2 * i];
        py[l] = y[2 * i + 1];
        dead[l] = l < m ? 0 : INT64_MAX; /* lanes beyond m wait for ever */
    }
    const __m256d th2 = _mm256_set1_pd(theta2), one = _mm256_set1_pd(1.0);
    const __m256d same = _mm256_set1_pd(SAME), same2 = _mm256_set1_pd(SAME2);
    const __m256d sign = _mm256_set1_pd(-0.0), all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    enum { H = LT_BH_GROUP / 4 };
    __m256d yx[H], yy[H], fx[H], fy[H], z[H];
    __m256i skip[H]; /* a lane is live while skip <= at (signed: the counts fit) */
    for (int h = 0; h < H; h++) {
        yx[h] = _mm256_loadu_pd(px + 4 * h);
        yy[h] = _mm256_loadu_pd(py + 4 * h);
        fx[h] = fy[h] = z[h] = _mm256_setzero_pd();
        skip[h] = _mm256_loadu_si256((const __m256i *)(dead + 4 * h));
    }
    while (at < n_nodes) {
        const lt_bh_node *nd = &nodes[at];
        const __m256d cx = _mm256_set1_pd(nd->com[0]), cy = _mm256_set1_pd(nd->com[1]);
        const __m256d w2 = _mm256_set1_pd(nd->width2), cnt = _mm256_set1_pd((double)nd->count);
        const __m256i atv = _mm256_set1_epi64x((long long)at);
        const __m256i next = _mm256_set1_epi64x((long long)nd->next);
        const __m256d leaf = nd->width2 < 0 ? all : _mm256_setzero_pd();
        int open = 0;
        for (int h = 0; h < H; h++) {
            __m256d live =
                _mm256_xor_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(skip[h], atv)), all);
            __m256d dx = _mm256_sub_pd(yx[h], cx), dy = _mm256_sub_pd(yy[h], cy);
            __m256d d2 = _mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy));
            __m256d far = _mm256_cmp_pd(w2, _mm256_mul_pd(th2, d2), _CMP_LT_OQ);
            __m256d take = _mm256_and_pd(live, far);
            open |= _mm256_movemask_pd(_mm256_andnot_pd(far, live));
            skip[h] = _mm256_castpd_si256(
                _mm256_blendv_pd(_mm256_castsi256_pd(skip[h]), _mm256_castsi256_pd(next), take));
            /* Branch-free, as group_avx512. */
            __m256d dup =
                _mm256_and_pd(_mm256_cmp_pd(d2, same2, _CMP_LE_OQ),
                              _mm256_cmp_pd(_mm256_andnot_pd(sign, dx), same, _CMP_LE_OQ));
            dup = _mm256_and_pd(dup, _mm256_cmp_pd(_mm256_andnot_pd(sign, dy), same, _CMP_LE_OQ));
            take = _mm256_andnot_pd(_mm256_and_pd(dup, leaf), take);
            __m256d w = _mm256_div_pd(one, _mm256_add_pd(one, d2));
            __m256d cw = _mm256_mul_pd(cnt, w), cww = _mm256_mul_pd(cw, w);
            /* Lanes not taken add +0.0: the sums stay as they were, as none
             * of them is ever -0.0 (each starts at +0.0, and x + -x is +0.0). */
            z[h] = _mm256_add_pd(z[h], _mm256_and_pd(take, cw));
            fx[h] = _mm256_add_pd(fx[h], _mm256_and_pd(take, _mm256_mul_pd(cww, dx)));
            fy[h] = _mm256_add_pd(fy[h], _mm256_and_pd(take, _mm256_mul_pd(cww, dy)));
        }
        at = open ? at + 1 : nd->next;
    }
    double ox[LT_BH_GROUP], oy[LT_BH_GROUP], oz[LT_BH_GROUP];
    for (int h = 0; h < H; h++) {
        _mm256_storeu_pd(ox + 4 * h, fx[h]);
        _mm256_storeu_pd(oy + 4 * h, fy[h]);
        _mm256_storeu_pd(oz + 4 * h, z[h]);
    }
    scatter_group(idx, m, ox, oy, oz, neg, z_out);
}

bool lt_bh_walk_runs(lt_tsne_bh_kernel which)
{
    switch (which) {
    case LT_TSNE_BH_AVX512:
        return __builtin_cpu_supports("avx512f");
    case LT_TSNE_BH_AVX2:
        return __builtin_cpu_supports("avx2");
    default:
        return true;
    }
}
#else
static void group_avx512(const lt_bh_tree *t, const double *y, const uint32_t *idx, size_t m,
                         double theta2, double *neg, double *z_out)
{
    for (size_t l = 0; l < m; l++)
        repel_plain(t, y + 2 * idx[l], theta2, neg + 2 * idx[l], z_out + idx[l]);
}

static void group_avx2(const lt_bh_tree *t, const double *y, const uint32_t *idx, size_t m,
                       double theta2, double *neg, double *z_out)
{
    group_avx512(t, y, idx, m, theta2, neg, z_out);
}

bool lt_bh_walk_runs(lt_tsne_bh_kernel which)
{
    return which == LT_TSNE_BH_PLAIN;
}
#endif

lt_tsne_bh_kernel lt_bh_walk_best(void)
{
    return lt_bh_walk_runs(LT_TSNE_BH_AVX512) ? LT_TSNE_BH_AVX512
           : lt_bh_walk_runs(LT_TSNE_BH_AVX2) ? LT_TSNE_BH_AVX2
                                              : LT_TSNE_BH_PLAIN;
}

void lt_bh_repel2(lt_tsne_bh_kernel which, const lt_bh_tree *t, const double *y,
                  const uint32_t *idx, size_t m, double theta2, double *neg, double *z)
{
    switch (which) {
    case LT_TSNE_BH_AVX512:
        group_avx512(t, y, idx, m, theta2, neg, z);
        break;
    case LT_TSNE_BH_AVX2:
        group_avx2(t, y, idx, m, theta2, neg, z);
        break;
    default:
        for (size_t l = 0; l < m; l++)
            repel_plain(t, y + 2 * idx[l], theta2, neg + 2 * idx[l], z + idx[l]);
        break;
    }
}
