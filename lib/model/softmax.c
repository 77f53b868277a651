/* softmax: the notebook's two-tower model with tags, made to learn.
 * SPDX-License-Identifier: MIT
 *
 * User tower: x_u = [ mean_w E_a over u's input artists ;
 *                     mean_w (sum_g prof_ag T_g) over the same artists ],
 * w the transformed listen counts and prof_a the artist's tag uses divided
 * by their total; then `hidden_layers` layers z = W h + b with ReLU, and a
 * linear output layer s_u = W_o h + b_o of size k, plus the artist mean
 * itself with tower_skip (folded into hidden units when the network is
 * kept, lr__softmax_net_fold_skip).  Item side: item_a =
 * V_a (+ Q' prof_a with item_tags), so that an artist nobody listened to
 * in training but somebody tagged still gets a vector that means
 * something.  Score: s_u . item_a.
 *
 * Loss: every epoch each user's artists are split at random into an input
 * bag and a label part (label_fraction of them, at least one, never all),
 * and the labels are never in the input.  One forward pass per user serves
 * all its labels: CE_u = - sum_l y_l log softmax(s_u . item)_l over the
 * whole catalogue (less the user's input artists with mask_input, as the
 * evaluation ranks only artists a user has not played), y the labels'
 * transformed counts normalised to 1 (a
 * multinomial likelihood, every user weighing the same).  Minibatches of
 * batch_size users, in a seeded shuffled order; Adagrad or SGD; L2 on the
 * weights (not the biases).  The notebook drew each example's label from
 * the list that formed its input and learned nothing (precision@10 below
 * random); keeping them apart is the point.
 *
 * Determinism: a batch is three big products (logits, the user vectors'
 * gradient, the item vectors' gradient) and the tower's small ones, all
 * cblas_sgemm calls whose shapes depend on the batch alone, and per-user
 * work (input bags, softmax rows) that threads split by user, each user's
 * arithmetic the same on any thread; sparse gradients (input embeddings,
 * tag projection) are added serially in a fixed order.  So the same seed
 * gives the same model bit for bit for ANY LR_OPT_THREADS on one machine
 * (sgemm's kernels, like ALS's LAPACK, may differ between CPUs).
 *
 * After the fit the model keeps user_f = each training user's tower
 * output on all their training artists, artist_f = the item vectors
 * (lr__model_prepare packs them like any factor model's), and the network
 * itself as m->tower, through which a preference list folds in
 * (lib/model/softmax_tower.c; user_f is computed there, by the same pass).
 */
#include "model/softmax.h"
#include "model/softmax_tower.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hot.h"
#include "core/rng.h"
#include "core/threads.h"
#include "optim/optim.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chosen on the dev split (docs/models.md). */
static void softmax_defaults(lr_options *o)
{
    lr__opt_default_int(o, LR_OPT_FACTORS, 64);
    lr__opt_default_int(o, LR_OPT_EPOCHS, 14);
    lr__opt_default_double(o, LR_OPT_LEARNING_RATE, 0.02);
    lr__opt_default_int(o, LR_OPT_OPTIMIZER, LR_OPTIMIZER_ADAM);
    lr__opt_default_double(o, LR_OPT_REGULARIZATION, 0.0);
    lr__opt_default_double(o, LR_OPT_INIT_SCALE, 0.1);
    lr__opt_default_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P);
    lr__opt_default_int(o, LR_OPT_BATCH_SIZE, 128);
    lr__opt_default_double(o, LR_OPT_AVERAGING, 0.98);
    lr__opt_default_double(o, LR_OPT_LABEL_FRACTION, 0.6);
    lr__opt_default_double(o, LR_OPT_COLD_BOOST, 0.0);
    lr__opt_default_double(o, LR_OPT_LABEL_SMOOTHING, 0.2);
    lr__opt_default_double(o, LR_OPT_COLD_MIX, 0.06);
}

/* ------------------------------------------------------------ the network */

static int32_t in0(const lr__softmax_net *net) { return net->k + net->dt; }

void lr__softmax_net_layout(lr__softmax_net *net)
{
    const size_t nt = (size_t)net->nt, K = (size_t)net->k, H = (size_t)net->width;
    size_t at = 0;
    net->off_e = at;
    at += (size_t)net->m * K;
    net->off_t = at;
    at += nt * (size_t)net->dt;
    size_t fan = (size_t)in0(net);
    for (int l = 0; l < net->layers; l++) {
        net->off_w[l] = at;
        at += H * fan;
        net->off_b[l] = at;
        at += H;
        fan = H;
    }
    net->off_w[net->layers] = at;
    at += K * H;
    net->off_b[net->layers] = at;
    at += K;
    net->off_v = at;
    at += (size_t)net->m * K;
    net->off_q = at;
    at += net->item_tags ? nt * K : 0;
    net->n_params = at;
}

int lr__softmax_net_fold_skip(lr__softmax_net *net)
{
    if (!net->skip)
        return LR_OK;
    lr__softmax_net f = *net;
    f.skip = 0;
    f.width = net->width + 2 * net->k;
    lr__softmax_net_layout(&f);
    f.theta = lr__calloc(f.n_params, sizeof(float));
    if (!f.theta)
        return lr__fail_oom("softmax's folded tower");
    const size_t K = (size_t)net->k, H = (size_t)net->width, H2 = (size_t)f.width;
    const float *th = net->theta;
    float *nt = f.theta;
    /* E and T: the same block at the same offset */
    memcpy(nt, th, net->off_w[0] * sizeof(float));
    size_t fan = (size_t)in0(net), fan2 = fan;
    for (int l = 0; l < net->layers; l++) {
        /* the old units read the old inputs; unit H + i is +x_i, H + K + i
         * is -x_i: from the artist mean in layer 0, from the same units of
         * the layer below after it (they are >= 0, so the ReLU keeps them) */
        for (size_t j = 0; j < H; j++)
            memcpy(nt + f.off_w[l] + j * fan2, th + net->off_w[l] + j * fan, fan * sizeof(float));
        for (size_t i = 0; i < K; i++) {
            nt[f.off_w[l] + (H + i) * fan2 + (l ? fan + i : i)] = 1.0f;
            nt[f.off_w[l] + (H + K + i) * fan2 + (l ? fan + K + i : i)] = l ? 1.0f : -1.0f;
        }
        memcpy(nt + f.off_b[l], th + net->off_b[l], H * sizeof(float));
        fan = H;
        fan2 = H2;
    }
    const int L = net->layers;
    for (size_t j = 0; j < K; j++) {
        memcpy(nt + f.off_w[L] + j * H2, th + net->off_w[L] + j * H, H * sizeof(float));
        nt[f.off_w[L] + j * H2 + H + j] = 1.0f;
        nt[f.off_w[L] + j * H2 + H + K + j] = -1.0f;
    }
    memcpy(nt + f.off_b[L], th + net->off_b[L], K * sizeof(float));
    /* V and Q follow the layers, unchanged */
    memcpy(nt + f.off_v, th + net->off_v, (net->n_params - net->off_v) * sizeof(float));
    free(net->theta);
    /* the weights' L2 mask is the fit's; the fold ends it */
    free(net->l2);
    f.l2 = NULL;
    *net = f;
    return LR_OK;
}

int lr__softmax_net_init(lr__softmax_net *net, int32_t m, const lr__csr *tags, int32_t k,
                         int32_t dt, int32_t layers, int32_t width, int item_tags)
{
    memset(net, 0, sizeof *net);
    if (m < 1 || k < 1 || dt < 1 || layers < 1 || layers > LR__SOFTMAX_MAX_LAYERS || width < 1)
        return lr__fail(LR_E_INVALID, "softmax: bad network sizes");
    net->m = m;
    net->k = k;
    net->dt = dt;
    net->layers = layers;
    net->width = width;
    net->item_tags = item_tags != 0;
    int rc;
    if (tags && tags->ptr && tags->nnz > 0) {
        if ((rc = lr__csr_copy(&net->prof, tags)))
            return rc;
        net->nt = tags->cols;
        for (int32_t a = 0; a < net->prof.rows; a++) {
            double sum = 0;
            for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++)
                sum += net->prof.val[i];
            for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++)
                net->prof.val[i] = sum > 0 ? (float)(net->prof.val[i] / sum) : 0.0f;
        }
    }
    lr__softmax_net_layout(net);
    const size_t at = net->n_params, H = (size_t)width, K = (size_t)k;
    net->theta = lr__calloc(at, sizeof(float));
    net->l2 = lr__malloc(at, 1);
    if (!net->theta || !net->l2) {
        lr__softmax_net_free(net);
        return lr__fail_oom("the softmax network's weights");
    }
    memset(net->l2, 1, at);
    for (int l = 0; l <= layers; l++)
        memset(net->l2 + net->off_b[l], 0, l < layers ? H : K);
    return LR_OK;
}

void lr__softmax_net_randomize(lr__softmax_net *net, uint64_t seed, double scale)
{
    lr__rng r;
    lr__rng_seed(&r, seed);
    size_t fan = (size_t)in0(net);
    for (size_t i = 0; i < net->off_w[0]; i++)
        net->theta[i] = (float)(scale * lr__rng_normal(&r));
    for (int l = 0; l <= net->layers; l++) {
        const double sd = sqrt(2.0 / (double)fan);
        for (size_t i = net->off_w[l]; i < net->off_b[l]; i++)
            net->theta[i] = (float)(sd * lr__rng_normal(&r));
        const size_t nb = l < net->layers ? (size_t)net->width : (size_t)net->k;
        memset(net->theta + net->off_b[l], 0, nb * sizeof(float));
        fan = (size_t)net->width;
    }
    for (size_t i = net->off_v; i < net->n_params; i++)
        net->theta[i] = (float)(scale * lr__rng_normal(&r));
}

void lr__softmax_net_free(lr__softmax_net *net)
{
    lr__csr_free(&net->prof);
    free(net->theta);
    free(net->l2);
    free(net->cold);
    memset(net, 0, sizeof *net);
}

int lr__softmax_work_init(lr__softmax_work *w, const lr__softmax_net *net, int32_t cap,
                          int threads)
{
    memset(w, 0, sizeof *w);
    w->cap = cap;
    w->threads = threads < 1 ? 1 : threads;
    const size_t B = (size_t)cap, H = (size_t)net->width, K = (size_t)net->k,
                 NI = (size_t)in0(net), M = (size_t)net->m, D = NI > H ? NI : H;
    int ok = 1;
    for (int l = 0; l <= net->layers; l++)
        ok &= (w->act[l] = lr__malloc(B * (l ? H : NI), sizeof(float))) != NULL;
    w->d0 = lr__malloc(B * D, sizeof(float));
    w->d1 = lr__malloc(B * D, sizeof(float));
    w->s = lr__malloc(B * K, sizeof(float));
    w->ds = lr__malloc(B * K, sizeof(float));
    w->item = lr__malloc(M * K, sizeof(float));
    w->logit = lr__malloc(B * M, sizeof(float));
    w->loss = lr__malloc(B, sizeof(double));
    if (!ok || !w->d0 || !w->d1 || !w->s || !w->ds || !w->item || !w->logit || !w->loss) {
        lr__softmax_work_free(w);
        return lr__fail_oom("the softmax batch's work space");
    }
    if (net->item_tags && net->prof.ptr) {
        int rc = lr__csr_transpose(&w->prof_t, &net->prof);
        if (rc) {
            lr__softmax_work_free(w);
            return rc;
        }
    }
    return LR_OK;
}

void lr__softmax_work_free(lr__softmax_work *w)
{
    for (int l = 0; l <= LR__SOFTMAX_MAX_LAYERS; l++)
        free(w->act[l]);
    free(w->d0);
    free(w->d1);
    free(w->s);
    free(w->ds);
    free(w->item);
    free(w->logit);
    free(w->loss);
    lr__csr_free(&w->prof_t);
    free(w->g_ptr);
    free(w->g_next);
    free(w->g_user);
    free(w->g_coef);
    memset(w, 0, sizeof *w);
}

typedef struct items_ctx {
    const lr__softmax_net *net;
    lr__softmax_work *w;
    float *grad; /* tag_grads: the gradient, with gV filled in */
} items_ctx;

/* y[0 .. K) = base[0 .. K) + sum over i in [0, n), in order, of
 * val[i] X[idx[i]] (rows of ld floats): element by element the same
 * operations as successive lr__kaxpy calls, so the same bits, but with the
 * sum in registers, 64 floats at a time, instead of a store and a load per
 * term, and the next rows fetched ahead (a gather from a matrix larger
 * than the cache was a tenth of a fit). */
LR__KINLINE void sm_gather(float *y, const float *base, int64_t n, const float *restrict val,
                           const int32_t *restrict idx, const float *X, size_t ld, int32_t K)
{
    int32_t f = 0;
#ifdef LR__KVEC
    for (; f + 64 <= K; f += 64) {
        lr__k16 a0, a1, a2, a3;
        memcpy(&a0, base + f, sizeof a0);
        memcpy(&a1, base + f + 16, sizeof a1);
        memcpy(&a2, base + f + 32, sizeof a2);
        memcpy(&a3, base + f + 48, sizeof a3);
        for (int64_t i = 0; i < n; i++) {
            const float *x = X + (size_t)idx[i] * ld + f;
            if (i + 4 < n)
                __builtin_prefetch(X + (size_t)idx[i + 4] * ld + f);
            lr__k16 v;
            memcpy(&v, x, sizeof v);
            a0 += val[i] * v;
            memcpy(&v, x + 16, sizeof v);
            a1 += val[i] * v;
            memcpy(&v, x + 32, sizeof v);
            a2 += val[i] * v;
            memcpy(&v, x + 48, sizeof v);
            a3 += val[i] * v;
        }
        memcpy(y + f, &a0, sizeof a0);
        memcpy(y + f + 16, &a1, sizeof a1);
        memcpy(y + f + 32, &a2, sizeof a2);
        memcpy(y + f + 48, &a3, sizeof a3);
    }
#endif
    if (f < K) {
        if (y != base)
            memcpy(y + f, base + f, (size_t)(K - f) * sizeof *y);
        for (int64_t i = 0; i < n; i++)
            lr__kaxpy(y + f, val[i], X + (size_t)idx[i] * ld + f, K - f);
    }
}

/* Item vectors of artists [lo, hi): each row is its own artist's sum. */
LR__HOT static int item_rows(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const items_ctx *c = vctx;
    const lr__softmax_net *net = c->net;
    const size_t K = (size_t)net->k;
    const float *V = net->theta + net->off_v;
    if (!net->item_tags || !net->prof.ptr) {
        memcpy(c->w->item + lo * K, V + lo * K, (hi - lo) * K * sizeof(float));
        return LR_OK;
    }
    const float *Q = net->theta + net->off_q;
    const lr__csr *p = &net->prof;
    for (size_t a = lo; a < hi; a++)
        sm_gather(c->w->item + a * K, V + a * K, p->ptr[a + 1] - p->ptr[a], p->val + p->ptr[a],
                  p->idx + p->ptr[a], Q, K, (int32_t)K);
    return LR_OK;
}

void lr__softmax_items(const lr__softmax_net *net, lr__softmax_work *w)
{
    items_ctx c = {net, w, NULL};
    /* item_rows never fails; a thread that cannot start leaves its range
     * to the calling thread (lib/core/threads.h) */
    (void)lr__parallel_for(w->threads, (size_t)net->m, item_rows, &c);
}

/* The tag projection's gradient of tags [lo, hi): gQ_g += sum over the
 * tag's artists a, in order, of prof_ag gV_a -- the order a serial pass
 * over the artists would add them in. */
LR__HOT static int tag_grads(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const items_ctx *c = vctx;
    const lr__softmax_net *net = c->net;
    const lr__csr *pt = &c->w->prof_t;
    const size_t K = (size_t)net->k;
    float *gQ = c->grad + net->off_q;
    const float *gV = c->grad + net->off_v;
    for (size_t g = lo; g < hi; g++)
        sm_gather(gQ + g * K, gQ + g * K, pt->ptr[g + 1] - pt->ptr[g], pt->val + pt->ptr[g],
                  pt->idx + pt->ptr[g], gV, K, (int32_t)K);
    return LR_OK;
}

/* The total weight of user u's input bag, which each input's weight is
 * divided by (the bag's mean), in the forward and the backward pass alike. */
static double bag_weight(const lr__softmax_batch *b, int64_t u)
{
    double W = 0;
    for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++)
        W += b->in_w[j];
    return W;
}

typedef struct rows_ctx {
    const lr__softmax_net *net;
    lr__softmax_work *w;
    const lr__softmax_batch *b;
} rows_ctx;

/* Input rows x_b of users [lo, hi): one user's sums on one thread. */
LR__HOT static int input_rows(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const rows_ctx *c = vctx;
    const lr__softmax_net *net = c->net;
    const lr__softmax_batch *b = c->b;
    const int32_t K = net->k, DT = net->dt, NI = in0(net);
    const float *E = net->theta + net->off_e, *T = net->theta + net->off_t;
    for (size_t u = lo; u < hi; u++) {
        float *x = c->w->act[0] + u * (size_t)NI;
        memset(x, 0, (size_t)NI * sizeof *x);
        const double W = bag_weight(b, (int64_t)u);
        if (!(W > 0))
            continue;
        for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++) {
            const int32_t a = b->in_idx[j];
            const float c1 = (float)(b->in_w[j] / W);
            lr__kaxpy(x, c1, E + (size_t)a * (size_t)K, K);
            if (!net->prof.ptr)
                continue;
            for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++)
                lr__kaxpy(x + K, c1 * net->prof.val[i], T + (size_t)net->prof.idx[i] * (size_t)DT,
                          DT);
        }
    }
    return LR_OK;
}

/* out[n x cols] = in[n x fan] W' + bias (W [cols x fan]); relu when asked. */
static void dense(int32_t n, int32_t cols, int32_t fan, const float *in, const float *W,
                  const float *bias, int relu, float *out)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, cols, fan, 1.0f, in, fan, W, fan,
                0.0f, out, cols);
    for (int32_t r = 0; r < n; r++) {
        float *o = out + (size_t)r * (size_t)cols;
        for (int32_t j = 0; j < cols; j++) {
            const float z = o[j] + bias[j];
            o[j] = relu && z < 0 ? 0.0f : z;
        }
    }
}

int lr__softmax_users(const lr__softmax_net *net, lr__softmax_work *w,
                      const lr__softmax_batch *b)
{
    rows_ctx c = {net, w, b};
    int rc = lr__parallel_for(w->threads, (size_t)b->n, input_rows, &c);
    if (rc)
        return rc;
    int32_t fan = in0(net);
    for (int l = 0; l < net->layers; l++) {
        dense(b->n, net->width, fan, w->act[l], net->theta + net->off_w[l],
              net->theta + net->off_b[l], 1, w->act[l + 1]);
        fan = net->width;
    }
    dense(b->n, net->k, fan, w->act[net->layers], net->theta + net->off_w[net->layers],
          net->theta + net->off_b[net->layers], 0, w->s);
    if (net->skip) {
        const int32_t K = net->k, NI = in0(net);
        for (int32_t u = 0; u < b->n; u++)
            lr__kaxpy(w->s + (size_t)u * (size_t)K, 1.0f, w->act[0] + (size_t)u * (size_t)NI, K);
    }
    return LR_OK;
}

/* exp(x) for x <= 0 (a logit less the row's maximum), 0 below -87 and
 * for -inf (a masked artist): Cody-Waite reduction by ln 2 and Cephes'
 * degree-7 polynomial, about 1 ulp.  Written with vector types (and the
 * scalar fallback doing the same operations one element at a time), so
 * every clone (lib/core/hot.h) gives the same bits: libm's expf, called
 * per element, was a fifth of a fit's time. */
#define SM_EXP_MIN (-87.0f)
#ifdef LR__KVEC
typedef int32_t sm_i16 __attribute__((vector_size(64)));
typedef uint32_t sm_u16 __attribute__((vector_size(64)));
/* z[0 .. 16) <- exp(z - mx), added to *sum (memory in and out: vectors
 * never cross a function boundary by value, lib/core/hot.h). */
LR__KINLINE void sm_exp16(float *z, float mx, lr__k16 *sum)
{
    lr__k16 x;
    memcpy(&x, z, sizeof x);
    x -= mx;
    /* -1 where exp(x) is kept, 0 where it is 0; a NaN is kept, so that it
     * reaches the loss and the fit stops (LR_E_NUMERIC) */
    const sm_i16 keep = ~(x < SM_EXP_MIN);
    const lr__k16 lo = (lr__k16){0} + SM_EXP_MIN;
    lr__k16 xc;
    sm_i16 xi, li;
    memcpy(&xi, &x, sizeof xi);
    memcpy(&li, &lo, sizeof li);
    xi = (xi & keep) | (li & ~keep);
    memcpy(&xc, &xi, sizeof xc);
    const lr__k16 t = xc * 1.44269504088896341f;
    const lr__k16 n = (t + 12582912.0f) - 12582912.0f; /* round to nearest */
    const lr__k16 r = (xc - n * 0.693359375f) - n * -2.12194440e-4f;
    lr__k16 p = r * 1.9875691500E-4f + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    p = p * (r * r) + r + 1.0f;
    /* unsigned, so a NaN's lane (whatever its conversion gives) shifts
     * without overflow; its product stays NaN */
    const sm_u16 e = __builtin_convertvector(__builtin_convertvector(n, sm_i16) + 127, sm_u16)
                     << 23;
    lr__k16 two;
    memcpy(&two, &e, sizeof two);
    p *= two;
    sm_i16 pi;
    memcpy(&pi, &p, sizeof pi);
    pi &= keep;
    memcpy(z, &pi, sizeof pi);
    memcpy(&p, &pi, sizeof p);
    *sum += p;
}
#endif
LR__KINLINE float sm_exp1(float x)
{
    if (x < SM_EXP_MIN)
        return 0.0f;
    if (x != x) /* NaN: on to the loss, as in sm_exp16 */
        return x;
    const float t = x * 1.44269504088896341f;
    const float n = (t + 12582912.0f) - 12582912.0f;
    const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    float p = r * 1.9875691500E-4f + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    p = p * (r * r) + r + 1.0f;
    const int32_t e = ((int32_t)n + 127) * (1 << 23);
    float two;
    memcpy(&two, &e, sizeof two);
    return p * two;
}

/* The largest of z[0 .. M) (a maximum is exact in any order), or NaN if
 * there is one: a NaN logit must reach the loss, where the fit stops
 * with LR_E_NUMERIC, not be skipped by the comparisons. */
LR__KINLINE float sm_max(const float *z, int32_t M)
{
    float r = -INFINITY;
    int nan = 0;
    int32_t a = 0;
#ifdef LR__KVEC
    /* in vectors: the scalar loop's NaN test kept GCC from vectorising it */
    lr__k16 m = (lr__k16){0} - INFINITY;
    sm_i16 bad = {0};
    for (; a + 16 <= M; a += 16) {
        lr__k16 v;
        memcpy(&v, z + a, sizeof v);
        const sm_i16 gt = v > m;
        sm_i16 vi, mi;
        memcpy(&vi, &v, sizeof vi);
        memcpy(&mi, &m, sizeof mi);
        mi = (vi & gt) | (mi & ~gt);
        memcpy(&m, &mi, sizeof m);
        bad |= v != v;
    }
    for (int l = 0; l < 16; l++) {
        r = m[l] > r ? m[l] : r;
        nan |= bad[l] != 0;
    }
#endif
    for (; a < M; a++) {
        r = z[a] > r ? z[a] : r;
        nan |= z[a] != z[a];
    }
    return nan ? NAN : r;
}

/* z[a] <- exp(z[a] - mx) for a in [0, M), returning their sum: 16 float
 * lanes over the 16-blocks, combined in double in a fixed order, then the
 * tail in double. */
LR__KINLINE double sm_exp_row(float *z, int32_t M, float mx)
{
    int32_t a = 0;
    double sum = 0;
#ifdef LR__KVEC
    lr__k16 s = {0};
    for (; a + 16 <= M; a += 16)
        sm_exp16(z + a, mx, &s);
#else
    float s[16] = {0};
    for (; a + 16 <= M; a += 16)
        for (int l = 0; l < 16; l++) {
            z[a + l] = sm_exp1(z[a + l] - mx);
            s[l] += z[a + l];
        }
#endif
    for (int l = 0; l < 16; l++)
        sum += (double)s[l];
    for (; a < M; a++) {
        z[a] = sm_exp1(z[a] - mx);
        sum += (double)z[a];
    }
    return sum;
}

/* z[0 .. M) summed: 16 float lanes over the 16-blocks, combined in double
 * in a fixed order, then the tail in double. */
LR__KINLINE double sm_sum(const float *z, int32_t M)
{
    int32_t a = 0;
    double sum = 0;
#ifdef LR__KVEC
    lr__k16 s = {0};
    for (; a + 16 <= M; a += 16) {
        lr__k16 v;
        memcpy(&v, z + a, sizeof v);
        s += v;
    }
#else
    float s[16] = {0};
    for (; a + 16 <= M; a += 16)
        for (int l = 0; l < 16; l++)
            s[l] += z[a + l];
#endif
    for (int l = 0; l < 16; l++)
        sum += (double)s[l];
    for (; a < M; a++)
        sum += (double)z[a];
    return sum;
}

/* z[0 .. M) <- z f - d (element-wise: any width gives the same bits; d = 0
 * leaves z f as it is). */
LR__KINLINE void sm_scale_shift(float *z, int32_t M, float f, float d)
{
    int32_t a = 0;
#ifdef LR__KVEC
    for (; a + 16 <= M; a += 16) {
        lr__k16 v;
        memcpy(&v, z + a, sizeof v);
        v = v * f - d;
        memcpy(z + a, &v, sizeof v);
    }
#endif
    for (; a < M; a++)
        z[a] = z[a] * f - d;
}

/* Softmax rows of users [lo, hi): the cross-entropy into loss[u], and the
 * row replaced by (p - y) / n, the gradient of the batch mean.  Each row
 * (70 KB on HetRec) stays in the core's cache through its passes.  With
 * label smoothing e, y is (1 - e) times the labels' weights plus e spread
 * evenly over the artists of the softmax (not the masked input's). */
LR__HOT static int softmax_rows(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const rows_ctx *c = vctx;
    const lr__softmax_batch *b = c->b;
    const int32_t M = c->net->m;
    const float inv_n = 1.0f / (float)b->n, e = c->w->label_smoothing;
    for (size_t u = lo; u < hi; u++) {
        float *z = c->w->logit + u * (size_t)M;
        /* the smoothing's part of the loss needs the sum of the softmax's
         * logits: all of them less the masked ones */
        double zsum = e > 0 ? sm_sum(z, M) : 0;
        int64_t m_in = 0;
        /* exp(-inf) = 0: no probability, no gradient, out of the sum */
        if (c->w->mask_input)
            for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++, m_in++) {
                zsum -= (double)z[b->in_idx[j]];
                z[b->in_idx[j]] = -INFINITY;
            }
        const float mx = sm_max(z, M);
        if (mx == -INFINITY) { /* every artist in the input: nothing to predict */
            c->w->loss[u] = 0;
            memset(z, 0, (size_t)M * sizeof *z);
            continue;
        }
        double Y = 0, ce = 0;
        for (int64_t j = b->lab_ptr[u]; j < b->lab_ptr[u + 1]; j++)
            Y += b->lab_w[j];
        /* a user without label weight has no loss and no smoothing */
        const float eu = Y > 0 ? e : 0.0f, keep = 1.0f - eu;
        const double m_soft = (double)(M - m_in);
        for (int64_t j = b->lab_ptr[u]; j < b->lab_ptr[u + 1]; j++)
            ce -= (Y > 0 ? keep * b->lab_w[j] / Y : 0.0) * (double)(z[b->lab_idx[j]] - mx);
        if (eu > 0)
            ce -= eu * (zsum / m_soft - (double)mx);
        const double sum = sm_exp_row(z, M, mx);
        /* the targets sum to 1 (or the user has none) */
        ce += Y > 0 ? log(sum) : 0.0;
        c->w->loss[u] = ce;
        const float scale = (float)(1.0 / sum) * inv_n;
        sm_scale_shift(z, M, scale, eu > 0 ? (float)(eu / m_soft) * inv_n : 0.0f);
        /* the masked input's gradient stays 0 */
        for (int64_t j = b->in_ptr[u]; eu > 0 && c->w->mask_input && j < b->in_ptr[u + 1]; j++)
            z[b->in_idx[j]] = 0.0f;
        for (int64_t j = b->lab_ptr[u]; j < b->lab_ptr[u + 1]; j++)
            z[b->lab_idx[j]] -= keep * (Y > 0 ? (float)(b->lab_w[j] / Y) : 0.0f) * inv_n;
    }
    return LR_OK;
}

/* dL/dx of every user (dx, n x in0) into the input embeddings E and T,
 * user by user, in order. */
LR__HOT static void input_grads(const lr__softmax_net *net, const lr__softmax_batch *b,
                                const float *dx0, float *grad)
{
    const int32_t K = net->k, DT = net->dt, NI = in0(net);
    float *gE = grad + net->off_e, *gT = grad + net->off_t;
    for (int32_t u = 0; u < b->n; u++) {
        const float *dx = dx0 + (size_t)u * (size_t)NI;
        const double W = bag_weight(b, (int64_t)u);
        if (!(W > 0))
            continue;
        for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++) {
            const int32_t a = b->in_idx[j];
            const float c1 = (float)(b->in_w[j] / W);
            lr__kaxpy(gE + (size_t)a * (size_t)K, c1, dx, K);
            if (!net->prof.ptr)
                continue;
            for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++)
                lr__kaxpy(gT + (size_t)net->prof.idx[i] * (size_t)DT, c1 * net->prof.val[i],
                          dx + K, DT);
        }
    }
}

typedef struct igrad_ctx {
    const lr__softmax_net *net;
    const lr__softmax_work *w;
    const float *dx0;
    float *grad;
    size_t bound[65]; /* rows [bound[t], bound[t + 1]) are worker t's */
} igrad_ctx;

/* Rows of the input embeddings' gradient: E_a for a < m, T_(a - m) after,
 * each its terms' sum in their order (sm_gather: the bits of successive
 * lr__kaxpy calls, so of input_grads). */
LR__HOT static int igrad_rows(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const igrad_ctx *c = vctx;
    const lr__softmax_net *net = c->net;
    const lr__softmax_work *w = c->w;
    const int32_t K = net->k, DT = net->dt, NI = in0(net);
    const size_t M = (size_t)net->m;
    for (size_t r = c->bound[lo]; r < c->bound[hi]; r++) {
        const int64_t p0 = w->g_ptr[r], n = w->g_ptr[r + 1] - p0;
        if (n == 0)
            continue;
        if (r < M) {
            float *y = c->grad + net->off_e + r * (size_t)K;
            sm_gather(y, y, n, w->g_coef + p0, w->g_user + p0, c->dx0, (size_t)NI, K);
        } else {
            float *y = c->grad + net->off_t + (r - M) * (size_t)DT;
            sm_gather(y, y, n, w->g_coef + p0, w->g_user + p0, c->dx0 + K, (size_t)NI, DT);
        }
    }
    return LR_OK;
}

/* input_grads split between the threads by row (the same bits): the
 * batch's terms sorted by row, stably, then each row summed by one
 * thread.  1 when done; 0 when the scratch cannot be had (the caller
 * then adds them serially). */
static int input_grads_threads(const lr__softmax_net *net, lr__softmax_work *w,
                               const lr__softmax_batch *b, const float *dx0, float *grad)
{
    const size_t M = (size_t)net->m, R = M + (size_t)net->nt;
    const int has_tags = net->prof.ptr != NULL;
    int64_t total = 0;
    for (int32_t u = 0; u < b->n; u++)
        for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++)
            total += 1 + (has_tags ? net->prof.ptr[b->in_idx[j] + 1] - net->prof.ptr[b->in_idx[j]] : 0);
    /* plain malloc: a failure here costs nothing but the threads, so it
     * is no error to report (nor one for lr__malloc's injected failures) */
    if (!w->g_ptr) {
        w->g_ptr = malloc((R + 1) * sizeof *w->g_ptr);
        w->g_next = malloc((R + 1) * sizeof *w->g_next);
        if (!w->g_ptr || !w->g_next) {
            free(w->g_ptr);
            free(w->g_next);
            w->g_ptr = w->g_next = NULL;
            return 0;
        }
    }
    if (total > w->g_cap) {
        int32_t *gu = realloc(w->g_user, (size_t)total * sizeof *gu);
        if (gu)
            w->g_user = gu;
        float *gc = realloc(w->g_coef, (size_t)total * sizeof *gc);
        if (gc)
            w->g_coef = gc;
        if (!gu || !gc)
            return 0;
        w->g_cap = total;
    }
    memset(w->g_ptr, 0, (R + 1) * sizeof *w->g_ptr);
    for (int32_t u = 0; u < b->n; u++) {
        if (!(bag_weight(b, u) > 0))
            continue;
        for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++) {
            const int32_t a = b->in_idx[j];
            w->g_ptr[a + 1]++;
            for (int64_t i = has_tags ? net->prof.ptr[a] : 0; has_tags && i < net->prof.ptr[a + 1]; i++)
                w->g_ptr[M + (size_t)net->prof.idx[i] + 1]++;
        }
    }
    for (size_t r = 0; r < R; r++)
        w->g_ptr[r + 1] += w->g_ptr[r];
    memcpy(w->g_next, w->g_ptr, (R + 1) * sizeof *w->g_ptr);
    for (int32_t u = 0; u < b->n; u++) {
        const double W = bag_weight(b, u);
        if (!(W > 0))
            continue;
        for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++) {
            const int32_t a = b->in_idx[j];
            const float c1 = (float)(b->in_w[j] / W);
            int64_t at = w->g_next[a]++;
            w->g_user[at] = u;
            w->g_coef[at] = c1;
            for (int64_t i = has_tags ? net->prof.ptr[a] : 0; has_tags && i < net->prof.ptr[a + 1]; i++) {
                at = w->g_next[M + (size_t)net->prof.idx[i]]++;
                w->g_user[at] = u;
                w->g_coef[at] = c1 * net->prof.val[i];
            }
        }
    }
    /* each worker a contiguous run of rows with about as many terms */
    igrad_ctx c = {net, w, dx0, grad, {0}};
    int T = w->threads < 64 ? w->threads : 64;
    const int64_t all = w->g_ptr[R];
    size_t r = 0;
    for (int t = 1; t < T; t++) {
        const int64_t want = all * t / T;
        while (r < R && w->g_ptr[r] < want)
            r++;
        c.bound[t] = r;
    }
    c.bound[T] = R;
    /* igrad_rows never fails; a worker that cannot start runs on the
     * calling thread */
    (void)lr__parallel_for(T, (size_t)T, igrad_rows, &c);
    return 1;
}

double lr__softmax_backward(const lr__softmax_net *net, lr__softmax_work *w,
                            const lr__softmax_batch *b, double reg, float *grad)
{
    const int32_t n = b->n, K = net->k, H = net->width, L = net->layers,
                  NI = in0(net);
    /* the tower, top down: dcur holds dL/d(output of layer l) */
    const float *dcur = w->ds;
    int32_t cols = K;
    float *bufs[2] = {w->d0, w->d1};
    for (int l = L; l >= 0; l--) {
        const int32_t fan = l ? H : NI;
        const float *in = w->act[l];
        const float *W = net->theta + net->off_w[l];
        float *gW = grad + net->off_w[l], *gb = grad + net->off_b[l];
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cols, fan, n, 1.0f, dcur, cols, in,
                    fan, 0.0f, gW, fan);
        for (int32_t u = 0; u < n; u++)
            for (int32_t j = 0; j < cols; j++)
                gb[j] += dcur[(size_t)u * (size_t)cols + (size_t)j];
        float *dprev = bufs[l & 1];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, fan, cols, 1.0f, dcur, cols, W,
                    fan, 0.0f, dprev, fan);
        if (l > 0) /* through the ReLU of layer l - 1's output */
            for (size_t i = 0; i < (size_t)n * (size_t)fan; i++)
                if (!(in[i] > 0))
                    dprev[i] = 0.0f;
        dcur = dprev;
        cols = fan;
    }
    /* dcur = dL/dx (layer 0's dprev, so writable); the skip path adds
     * dL/ds to the artist mean's part */
    if (net->skip)
        for (int32_t u = 0; u < n; u++)
            lr__kaxpy(bufs[0] + (size_t)u * (size_t)NI, 1.0f, w->ds + (size_t)u * (size_t)K, K);
    if (w->threads < 2 || !input_grads_threads(net, w, b, dcur, grad))
        input_grads(net, b, dcur, grad);
    /* L2 on the weights */
    double sq = 0;
    const float r = (float)reg;
    size_t ranges[2 * (LR__SOFTMAX_MAX_LAYERS + 2)], nr = 0;
    ranges[nr++] = net->off_e; /* E, T and the first layer's weights */
    ranges[nr++] = net->off_b[0];
    for (int l = 1; l <= L; l++) {
        ranges[nr++] = net->off_w[l];
        ranges[nr++] = net->off_b[l];
    }
    ranges[nr++] = net->off_v; /* V and Q */
    ranges[nr++] = net->n_params;
    for (size_t q = 0; reg > 0 && q < nr; q += 2) {
        const float *th = net->theta;
        /* lr__kdot's fixed lanes per block of 4096, the blocks in double */
        for (size_t i = ranges[q]; i < ranges[q + 1]; i += 4096) {
            const size_t len = ranges[q + 1] - i < 4096 ? ranges[q + 1] - i : 4096;
            sq += (double)lr__kdot(th + i, th + i, (int32_t)len);
            lr__kaxpy(grad + i, r, th + i, (int32_t)len);
        }
    }
    return 0.5 * reg * sq;
}

typedef struct zero_ctx {
    float *grad;
    size_t lo[LR__SOFTMAX_MAX_LAYERS + 3], hi[LR__SOFTMAX_MAX_LAYERS + 3];
    int n;
} zero_ctx;

/* Zeros over [lo, hi) of the concatenation of the context's ranges. */
static int zero_part(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const zero_ctx *c = vctx;
    size_t at = 0;
    for (int r = 0; r < c->n; r++) {
        const size_t len = c->hi[r] - c->lo[r];
        const size_t a = lo > at ? lo - at : 0, e = hi - at < len ? hi - at : len;
        if (a < e && hi > at)
            memset(c->grad + c->lo[r] + a, 0, (e - a) * sizeof(float));
        at += len;
    }
    return LR_OK;
}

/* grad's E and T (unless et_zero says they are), biases and Q to 0,
 * split between the threads. */
static int zero_blocks(const lr__softmax_net *net, int threads, int et_zero, float *grad)
{
    zero_ctx c;
    c.grad = grad;
    c.n = 0;
    size_t total = 0;
    if (!et_zero) {
        c.lo[c.n] = net->off_e;
        c.hi[c.n++] = net->off_w[0];
    }
    for (int l = 0; l <= net->layers; l++) {
        c.lo[c.n] = net->off_b[l];
        c.hi[c.n++] = l < net->layers ? net->off_w[l + 1] : net->off_v;
    }
    c.lo[c.n] = net->off_q;
    c.hi[c.n++] = net->n_params;
    for (int r = 0; r < c.n; r++)
        total += c.hi[r] - c.lo[r];
    return lr__parallel_for(threads, total, zero_part, &c);
}

int lr__softmax_loss_grad(const lr__softmax_net *net, lr__softmax_work *w,
                          const lr__softmax_batch *b, double reg, float *grad, double *loss,
                          double *ce_out, double *l2_out)
{
    const int32_t n = b->n, M = net->m, K = net->k;
    /* Only the blocks that are summed into need zeros: every layer's
     * weights and V are written whole by their sgemm (beta 0). */
    int rc = zero_blocks(net, w->threads, w->et_zero, grad);
    if (rc)
        return rc;
    lr__softmax_items(net, w);
    if ((rc = lr__softmax_users(net, w, b)))
        return rc;
    /* logits, softmax, dL/dlogit */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, M, K, 1.0f, w->s, K, w->item, K,
                0.0f, w->logit, M);
    rows_ctx c = {net, w, b};
    if ((rc = lr__parallel_for(w->threads, (size_t)n, softmax_rows, &c)))
        return rc;
    double ce = 0;
    for (int32_t u = 0; u < n; u++)
        ce += w->loss[u];
    ce /= n;
    /* dS = G item; dItem = G' S, which is dV and, through the profiles, dQ */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, K, M, 1.0f, w->logit, M, w->item,
                K, 0.0f, w->ds, K);
    float *gV = grad + net->off_v;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, K, n, 1.0f, w->logit, M, w->s, K,
                0.0f, gV, K);
    if (net->item_tags && net->prof.ptr) {
        items_ctx ic = {net, w, grad};
        if ((rc = lr__parallel_for(w->threads, (size_t)w->prof_t.rows, tag_grads, &ic)))
            return rc;
    }
    /* An artist nobody listened to is only ever a negative: its own V row
     * would learn nothing but "never", which would bury what its tags say
     * about it.  Its gradient still reaches Q through its tags. */
    if (net->cold)
        for (int32_t a = 0; a < M; a++)
            if (net->cold[a])
                memset(gV + (size_t)a * (size_t)K, 0, (size_t)K * sizeof *gV);
    const double l2 = lr__softmax_backward(net, w, b, reg, grad);
    *loss = ce + l2;
    if (ce_out)
        *ce_out = ce;
    if (l2_out)
        *l2_out = l2;
    return LR_OK;
}

/* ------------------------------------------------------------------ fit */

/* Adagrad's accumulators start here, not at lr__optim's usual 0.1: a
 * parameter's gradient in a batch is of the order of 1e-3 (a softmax
 * spreads each label's unit of gradient over the catalogue), and a start
 * of 0.1 made the first hundreds of steps about 100 times too short (the
 * loss on synthetic data barely moved in 30 epochs; 1e-6 learnt). */
#define SM_ADAGRAD_ACC0 1e-6f

typedef struct sm_fit {
    lr__softmax_net net;
    lr__softmax_work w;
    lr__optim opt;
    float *grad;
    int32_t *users;     /* users with at least two artists (trainable) */
    int32_t n_users;
    int64_t *in_ptr, *lab_ptr;
    int32_t *in_idx, *lab_idx, *perm;
    float *in_w, *lab_w;
    /* [n_params] the moving average of theta (LR_OPT_AVERAGING), or NULL */
    float *avg;
    lr__softmax_sampler smp; /* sampled_negatives: smp.n = 0 for the full softmax */
} sm_fit;

static void sm_free(sm_fit *f)
{
    lr__softmax_net_free(&f->net);
    lr__softmax_work_free(&f->w);
    lr__optim_free(&f->opt);
    free(f->grad);
    free(f->users);
    free(f->in_ptr);
    free(f->lab_ptr);
    free(f->in_idx);
    free(f->lab_idx);
    free(f->perm);
    free(f->in_w);
    free(f->lab_w);
    free(f->avg);
    lr__softmax_sampler_free(&f->smp);
}

/* The model's user_f (every user's tower output on all its training
 * artists, batch by batch) and artist_f (the item vectors), from the
 * averaged parameters when there are any.  artist_bias: cold_boost for the
 * artists that have tags but no training listens. */
static int export_factors(lr_model *m, sm_fit *f, int transform, double boost)
{
    const lr__csr *x = &m->train;
    const size_t K = (size_t)f->net.k;
    /* a view of the network with the averaged parameters: every pointer
     * borrowed from f->net, nothing to free */
    lr__softmax_net view = f->net;
    if (f->avg)
        view.theta = f->avg;
    if (boost > 0 && f->net.cold && f->net.prof.ptr) {
        if (!m->artist_bias)
            m->artist_bias = lr__calloc((size_t)m->n_artists, sizeof(float));
        if (!m->artist_bias)
            return lr__fail_oom("the cold artists' biases");
        for (int32_t a = 0; a < m->n_artists; a++)
            m->artist_bias[a] =
                f->net.cold[a] && f->net.prof.ptr[a + 1] > f->net.prof.ptr[a] ? (float)boost : 0.0f;
    }
    if (!m->user_f)
        m->user_f = lr__malloc((size_t)m->n_users * K, sizeof(float));
    if (!m->artist_f)
        m->artist_f = lr__malloc((size_t)m->n_artists * K, sizeof(float));
    if (!m->user_f || !m->artist_f)
        return lr__fail_oom("the user and artist embeddings");
    lr__softmax_items(&view, &f->w);
    memcpy(m->artist_f, f->w.item, (size_t)m->n_artists * K * sizeof(float));
    for (int32_t u0 = 0; u0 < m->n_users; u0 += f->w.cap) {
        const int32_t n = m->n_users - u0 < f->w.cap ? m->n_users - u0 : f->w.cap;
        int64_t at = 0;
        f->in_ptr[0] = 0;
        for (int32_t i = 0; i < n; i++) {
            for (int64_t p = x->ptr[u0 + i]; p < x->ptr[u0 + i + 1]; p++, at++) {
                f->in_idx[at] = x->idx[p];
                f->in_w[at] = lr__transform(transform, x->val[p]);
            }
            f->in_ptr[i + 1] = at;
        }
        lr__softmax_batch b = {n, f->in_ptr, f->in_idx, f->in_w, NULL, NULL, NULL};
        int rc = lr__softmax_users(&view, &f->w, &b);
        if (rc)
            return rc;
        memcpy(m->user_f + (size_t)u0 * K, f->w.s, (size_t)n * K * sizeof(float));
    }
    return LR_OK;
}

/* The batch of users f->users[perm[q0 .. q0 + n)], each user's artists
 * split at random into labels (label_fraction of them, at least one, never
 * all) and input. */
static lr__softmax_batch draw_batch(sm_fit *f, const lr__csr *x, const int32_t *order,
                                    int32_t n, double frac, int transform, lr__rng *rng)
{
    int64_t ai = 0, al = 0;
    f->in_ptr[0] = f->lab_ptr[0] = 0;
    for (int32_t i = 0; i < n; i++) {
        const int32_t u = order[i];
        const int64_t p0 = x->ptr[u], cnt = x->ptr[u + 1] - p0;
        int64_t nl = (int64_t)llround(frac * (double)cnt);
        nl = nl < 1 ? 1 : nl > cnt - 1 ? cnt - 1 : nl;
        for (int64_t j = 0; j < cnt; j++)
            f->perm[j] = (int32_t)j;
        for (int64_t j = 0; j < nl; j++) { /* partial Fisher-Yates: the labels */
            const int64_t r = j + (int64_t)lr__rng_below(rng, (uint64_t)(cnt - j));
            const int32_t t = f->perm[j];
            f->perm[j] = f->perm[r];
            f->perm[r] = t;
        }
        for (int64_t j = 0; j < cnt; j++) {
            const int64_t p = p0 + f->perm[j];
            const float wt = lr__transform(transform, x->val[p]);
            if (j < nl) {
                f->lab_idx[al] = x->idx[p];
                f->lab_w[al++] = wt;
            } else {
                f->in_idx[ai] = x->idx[p];
                f->in_w[ai++] = wt;
            }
        }
        f->in_ptr[i + 1] = ai;
        f->lab_ptr[i + 1] = al;
    }
    lr__softmax_batch b = {n, f->in_ptr, f->in_idx, f->in_w, f->lab_ptr, f->lab_idx, f->lab_w};
    return b;
}

/* avg <- decay avg + (1 - decay) theta, element by element (the same bits
 * on any thread count and any split of the range). */
LR__HOT static void average(float *restrict avg, const float *restrict theta, size_t n,
                            float decay)
{
    const float rest = 1.0f - decay;
    for (size_t i = 0; i < n; i++)
        avg[i] = decay * avg[i] + rest * theta[i];
}

/* Adam's step (lib/optim/optim.c's arithmetic, operation for operation)
 * and the moving average in one pass: the two passes over every
 * parameter, 2.6 million on HetRec, were memory-bound and a tenth of a
 * fit. */
LR__HOT static void adam_average(float *restrict p, const float *restrict g, float *restrict m,
                                 float *restrict v, float *restrict avg, size_t len, float lr,
                                 float eps, float c1, float c2, float decay)
{
    const float b1 = (float)LR__ADAM_BETA1, b2 = (float)LR__ADAM_BETA2, rest = 1.0f - decay;
    for (size_t i = 0; i < len; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
        avg[i] = decay * avg[i] + rest * p[i];
    }
}

typedef struct step_ctx {
    lr__optim *opt;
    float *theta;
    const float *grad;
    float *avg; /* NULL: no averaging */
    float decay;
} step_ctx;

/* The optimiser's step and the average over parameters [lo, hi). */
static int step_part(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const step_ctx *c = vctx;
    lr__optim *o = c->opt;
    if (o->kind == LR_OPTIMIZER_ADAM && c->avg) {
        adam_average(c->theta + lo, c->grad + lo, o->mom + lo, o->acc + lo, c->avg + lo, hi - lo,
                     o->lr, o->eps, o->c1, o->c2, c->decay);
        return LR_OK;
    }
    lr__optim_step(o, c->theta + lo, c->grad + lo, lo, hi - lo);
    if (c->avg)
        average(c->avg + lo, c->theta + lo, hi - lo, c->decay);
    return LR_OK;
}

/* One step of every parameter, split between the threads (element-wise,
 * so the bits do not depend on the split). */
static int sm_step(sm_fit *f, float decay)
{
    lr__optim_next(&f->opt);
    step_ctx c = {&f->opt, f->net.theta, f->grad, f->avg, decay};
    return lr__parallel_for(f->w.threads, f->net.n_params, step_part, &c);
}

/* The E rows of the batch's input artists and the T rows of their tags
 * back to 0, the only rows of those blocks a step's gradient touches, for
 * the next lr__softmax_loss_grad with et_zero. */
static void zero_inputs(const lr__softmax_net *net, const lr__softmax_batch *b, float *grad)
{
    const size_t K = (size_t)net->k, DT = (size_t)net->dt;
    for (int64_t j = 0; j < b->in_ptr[b->n]; j++) {
        const int32_t a = b->in_idx[j];
        memset(grad + net->off_e + (size_t)a * K, 0, K * sizeof *grad);
        if (!net->prof.ptr)
            continue;
        for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++)
            memset(grad + net->off_t + (size_t)net->prof.idx[i] * DT, 0, DT * sizeof *grad);
    }
}

static int numeric(uint64_t epoch, const char *what)
{
    return lr__fail(LR_E_NUMERIC,
                    "softmax: the %s became non-finite (NaN or infinity) in epoch %llu; lower "
                    "learning_rate or raise regularization",
                    what, (unsigned long long)epoch);
}

static int softmax_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_options *o = &m->opts;
    const lr__csr *x = &m->train;
    const int32_t k = (int32_t)lr__opt_int(o, LR_OPT_FACTORS);
    const uint64_t epochs = (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS);
    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);
    const double reg = lr__opt_double(o, LR_OPT_REGULARIZATION);
    const double frac = lr__opt_double(o, LR_OPT_LABEL_FRACTION);
    const int transform = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const double decay = lr__opt_double(o, LR_OPT_AVERAGING);
    const double boost = lr__opt_double(o, LR_OPT_COLD_BOOST);
    const int skip = (int)lr__opt_int(o, LR_OPT_TOWER_SKIP);
    const int mask_input = (int)lr__opt_int(o, LR_OPT_MASK_INPUT);
    const double smoothing = lr__opt_double(o, LR_OPT_LABEL_SMOOTHING);
    int64_t bs = lr__opt_int(o, LR_OPT_BATCH_SIZE);
    m->k = k;
    if (m->n_artists < 2)
        return lr__fail(LR_E_INVALID,
                        "softmax: a catalogue of %d artist%s has nothing to choose between; "
                        "it needs at least two",
                        m->n_artists, m->n_artists == 1 ? "" : "s");
    if (transform == LR_TRANSFORM_BM25)
        return lr__fail(LR_E_INVALID, "softmax: transform=bm25 is als's; use raw, log1p or binary");
    /* the kept tower has the skip path as 2k more units per layer, and a
     * model file's tower is at most 65536 units wide */
    if (skip && lr__opt_int(o, LR_OPT_HIDDEN_WIDTH) + 2 * (int64_t)k > 65536)
        return lr__fail(LR_E_INVALID,
                        "softmax: tower_skip=1 needs hidden_width + 2 factors <= 65536 (here "
                        "%lld + 2 x %d); lower hidden_width or set tower_skip=0",
                        (long long)lr__opt_int(o, LR_OPT_HIDDEN_WIDTH), k);
    sm_fit f;
    memset(&f, 0, sizeof f);
    int rc = lr__softmax_net_init(&f.net, m->n_artists, &ctx->train->artist_tags, k,
                                  (int32_t)lr__opt_int(o, LR_OPT_TAG_DIM),
                                  (int32_t)lr__opt_int(o, LR_OPT_HIDDEN_LAYERS),
                                  (int32_t)lr__opt_int(o, LR_OPT_HIDDEN_WIDTH),
                                  (int)lr__opt_int(o, LR_OPT_ITEM_TAGS));
    if (rc)
        return rc;
    f.net.skip = skip;
    lr__softmax_net_randomize(&f.net, seed, lr__opt_double(o, LR_OPT_INIT_SCALE));
    if (f.net.item_tags && f.net.nt > 0) {
        f.net.cold = lr__calloc((size_t)m->n_artists, 1);
        if (!f.net.cold) {
            lr__softmax_net_free(&f.net);
            return lr__fail_oom("the cold artists' marks");
        }
        for (int32_t a = 0; a < m->n_artists; a++)
            f.net.cold[a] = 1;
        for (int64_t p = 0; p < x->nnz; p++)
            f.net.cold[x->idx[p]] = 0;
        for (int32_t a = 0; a < m->n_artists; a++)
            if (f.net.cold[a])
                memset(f.net.theta + f.net.off_v + (size_t)a * (size_t)k, 0,
                       (size_t)k * sizeof(float));
    }
    /* batch_size 0 (the generic "full batch") means every user at once */
    if (bs <= 0 || bs > m->n_users)
        bs = m->n_users;
    int64_t longest = 1;
    for (int32_t u = 0; u < m->n_users; u++)
        if (x->ptr[u + 1] - x->ptr[u] > longest)
            longest = x->ptr[u + 1] - x->ptr[u];
    rc = lr__softmax_work_init(&f.w, &f.net, (int32_t)bs, lr__opt_threads(o));
    f.w.mask_input = mask_input;
    f.w.label_smoothing = (float)smoothing;

    const size_t nnz = (size_t)x->nnz + 1;
    f.grad = lr__calloc(f.net.n_params, sizeof(float));
    f.users = lr__malloc((size_t)m->n_users, sizeof(int32_t));
    f.in_ptr = lr__malloc((size_t)bs + 1, sizeof(int64_t));
    f.lab_ptr = lr__malloc((size_t)bs + 1, sizeof(int64_t));
    f.in_idx = lr__malloc(nnz, sizeof(int32_t));
    f.lab_idx = lr__malloc(nnz, sizeof(int32_t));
    f.in_w = lr__malloc(nnz, sizeof(float));
    f.lab_w = lr__malloc(nnz, sizeof(float));
    f.perm = lr__malloc((size_t)longest, sizeof(int32_t));
    if (decay > 0 && (f.avg = lr__malloc(f.net.n_params, sizeof(float))))
        memcpy(f.avg, f.net.theta, f.net.n_params * sizeof(float));
    if (rc == LR_OK && ((decay > 0 && !f.avg) || !f.grad || !f.users || !f.in_ptr || !f.lab_ptr || !f.in_idx ||
                        !f.lab_idx || !f.in_w || !f.lab_w || !f.perm))
        rc = lr__fail_oom("the softmax training examples");
    if (rc == LR_OK) {
        rc = lr__optim_init(&f.opt, (int)lr__opt_int(o, LR_OPT_OPTIMIZER),
                            (float)lr__opt_double(o, LR_OPT_LEARNING_RATE),
                            (float)lr__opt_double(o, LR_OPT_EPSILON), SM_ADAGRAD_ACC0, f.net.n_params);
        if (rc)
            lr__error_prefix("softmax");
    }
    if (rc == LR_OK)
        rc = lr__softmax_sampler_init(&f.smp, lr__opt_int(o, LR_OPT_SAMPLED_NEGATIVES),
                                      m->n_artists, x, seed);
    /* The full softmax's steps zero only the E and T rows they used: L2
     * reaches every row, and the sampled softmax zeroes the whole gradient
     * itself. */
    f.w.et_zero = reg == 0 && f.smp.n == 0;
    for (int32_t u = 0; u < m->n_users; u++)
        if (f.users && x->ptr[u + 1] - x->ptr[u] >= 2)
            f.users[f.n_users++] = u;
    if (rc == LR_OK && f.n_users == 0)
        rc = lr__fail(LR_E_INVALID, "softmax: no user has two artists to split into input and "
                                    "label");

    lr__rng order, split;
    lr__rng_seed_stream(&order, seed, 1);
    lr__rng_seed_stream(&split, seed, 2);
    for (uint64_t e = 1; e <= epochs && rc == LR_OK; e++) {
        lr__rng_shuffle_i32(&order, f.users, (size_t)f.n_users);
        double ce_sum = 0, l2_sum = 0;
        int steps = 0;
        for (int32_t q = 0; q < f.n_users && rc == LR_OK; q += (int32_t)bs) {
            const int32_t n = f.n_users - q < bs ? f.n_users - q : (int32_t)bs;
            lr__softmax_batch b = draw_batch(&f, x, f.users + q, n, frac, transform, &split);
            double loss, ce, l2;
            if (f.smp.n == 0)
                rc = lr__softmax_loss_grad(&f.net, &f.w, &b, reg, f.grad, &loss, &ce, &l2);
            else if ((rc = lr__softmax_sample_draw(&f.smp, &b)) == LR_OK)
                rc = lr__softmax_sampled_loss_grad(&f.net, &f.w, &f.smp, &b, reg, f.grad, &loss,
                                                   &ce, &l2);
            if (rc == LR_OK && !isfinite(loss))
                rc = numeric(e, "training loss");
            if (rc)
                break;
            if ((rc = sm_step(&f, (float)decay)))
                break;
            if (f.w.et_zero)
                zero_inputs(&f.net, &b, f.grad);
            ce_sum += ce * n;
            l2_sum += l2;
            steps++;
        }
        if (rc)
            break;
        for (size_t i = 0; i < f.net.n_params; i++)
            if (!isfinite(f.net.theta[i])) {
                rc = numeric(e, "network's weights");
                break;
            }
        if (rc)
            break;
        if (ctx->hook && (rc = export_factors(m, &f, transform, boost)))
            break;
        double row[LR__HIST_FIELDS];
        lr__history_row_init(row);
        row[LR_HISTORY_LOSS_OBSERVED - 1] = ce_sum / f.n_users;
        row[LR_HISTORY_LOSS_L2 - 1] = steps ? l2_sum / steps : 0.0;
        row[LR_HISTORY_LOSS - 1] = row[LR_HISTORY_LOSS_OBSERVED - 1] + row[LR_HISTORY_LOSS_L2 - 1];
        rc = lr__history_epoch(m, ctx, row, e, epochs);
    }
    /* the model is the average: what is exported and everything kept */
    if (rc == LR_OK && f.avg)
        memcpy(f.net.theta, f.avg, f.net.n_params * sizeof(float));
    if (rc == LR_OK)
        rc = export_factors(m, &f, transform, boost);
    if (rc == LR_OK)
        rc = lr__check_finite(m->user_f, (size_t)m->n_users * (size_t)k,
                              "softmax: the user vectors", "lower learning_rate");
    /* The network moves onto the model, and user_f is computed again by
     * the tower's fixed-order pass, the one a preference list goes
     * through (lib/model/softmax_tower.h); a skip path becomes hidden
     * units first, so the tower and its file stay plain ReLU layers. */
    if (rc == LR_OK)
        rc = lr__softmax_net_fold_skip(&f.net);
    if (rc == LR_OK)
        rc = lr__softmax_tower_keep(m, &f.net);
    sm_free(&f);
    return rc;
}

const lr__algo lr__algo_softmax = {LR_ALGO_SOFTMAX, "softmax", softmax_defaults, softmax_fit};
