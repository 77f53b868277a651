/**
 * @file
 * lastrec — an embeddable recommender for listening data.
 * SPDX-License-Identifier: MIT
 *
 * This is the only header users include.  Every handle is opaque, every
 * fallible call returns an int status (LR_OK or a negative LR_E_* code) and
 * leaves a one-line message in lr_last_error(), and every option goes through
 * an enum-keyed setter, so the ABI can grow without breaking.
 *
 * Calls that fill a caller buffer take (out, capacity, &needed) and always
 * set *needed to the full size (0 when they fail for another reason), so
 * asking with capacity 0 and NULL buffers gives the size.  A complete list
 * (ordered by ID, epoch or user) is all or nothing: capacity < needed
 * returns LR_E_BUFSIZE and writes nothing.  A ranked list (best first:
 * name candidates, tags by use, explanations, query results) returns LR_OK
 * with its first capacity entries, the start of the full answer.  Each
 * call's comment says which kind it is.
 *
 * References such as docs/models.md name lastrec's documentation by its path
 * in the source tree; meson install puts it at the same path under
 * DATADIR/doc/lastrec (by default /usr/local/share/doc/lastrec/docs/models.md).
 */
#ifndef LASTREC_H
#define LASTREC_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ export */

/**
 * @def LR_API
 * Marks a declaration as part of the public interface: exported from the
 * shared library, empty in a static build (LR_STATIC_BUILD).
 *
 * @def LR_DEPRECATED_FOR(f)
 * Marks a declaration as deprecated in favour of @p f (a compiler warning
 * where the compiler supports it).
 */
#if defined(LR_STATIC_BUILD)
#  define LR_API
#elif defined(_WIN32)
#  if defined(LR_COMPILATION)
#    define LR_API __declspec(dllexport)
#  else
#    define LR_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define LR_API __attribute__((visibility("default")))
#else
#  define LR_API
#endif

#if defined(__GNUC__)
#  define LR_DEPRECATED_FOR(f) __attribute__((deprecated("use " #f)))
#else
#  define LR_DEPRECATED_FOR(f)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------- version */

/** @cond internal: version.h may only be included from here */
#define LASTREC_INSIDE_H
#include <lastrec/version.h>
#undef LASTREC_INSIDE_H
/** @endcond */

/**
 * The library's version as MAJOR*10000 + MINOR*100 + PATCH.
 * Bindings compare it with LR_VERSION_NUMBER of the header they were built
 * against.
 * @return the run-time version number.
 * Thread-safety: safe from any thread.
 */
LR_API unsigned lr_version_number(void);

/**
 * The library's version as "MAJOR.MINOR.PATCH".
 * @return a static string (never freed).
 * Thread-safety: safe from any thread.
 */
LR_API const char *lr_version_string(void);

/**
 * One line describing the build: version, compiler, BLAS library and its
 * threading, so a bug report can say which numerical kernels ran.
 * @return a static string (never freed).
 * Thread-safety: safe from any thread.
 */
LR_API const char *lr_build_info(void);

/* ------------------------------------------------------------ status codes */

/** Status codes.  Values are pinned forever; new codes get new numbers. */
enum lr_status {
    LR_OK = 0,            /**< success */
    LR_E_INVALID = -1,    /**< invalid argument, option key or value */
    LR_E_NOMEM = -2,      /**< out of memory */
    LR_E_IO = -3,         /**< a file cannot be opened, read or written */
    LR_E_NOTFOUND = -4,   /**< an unknown ID or name */
    LR_E_PARSE = -5,      /**< malformed text: field count, non-numeric field */
    LR_E_RANGE = -6,      /**< a number out of range: negative, overflowing, zero count */
    LR_E_DUPLICATE = -7,  /**< a row that repeats an earlier one */
    LR_E_ENCODING = -8,   /**< bytes that cannot be text (NUL) */
    LR_E_TOOLONG = -9,    /**< a line longer than 1 MiB */
    LR_E_FORMAT = -10,    /**< a binary file that is truncated, corrupt or of another version */
    LR_E_CANCELLED = -11, /**< a progress callback asked to stop */
    LR_E_NUMERIC = -12,   /**< non-finite values or a singular system */
    LR_E_UNSUPPORTED = -13, /**< the operation does not apply to this object */
    LR_E_BUFSIZE = -14,   /**< a caller buffer is too small; the needed size is returned */
    LR_E_EMPTY = -15,     /**< an input file has no content at all */
    LR_E_HEADER = -16,    /**< an input file's header line is missing or wrong */
    LR_E_AMBIGUOUS = -17  /**< a name matches several artists and none exactly */
};

/**
 * A static description of a status code ("invalid argument", …).
 * @return a static string; "unknown status" for codes lastrec never returns.
 * Thread-safety: safe from any thread.
 */
LR_API const char *lr_strerror(int status);

/**
 * The message of the most recent failing call on this thread: what went
 * wrong and, for input files, "file:line: field: problem".  A call that
 * succeeds leaves the message as it was (as errno does), so read it only
 * right after a call returned a negative status; a successful call, or a
 * cleanup call (lr_*_free()) between the failure and the read, does not
 * lose it.  Every failing call sets it.
 * @return a borrowed string in thread-local storage: its contents change
 *         at the next failing call on this thread or at lr_clear_error();
 *         "" when no failure is recorded (or after lr_clear_error()).
 * Thread-safety: the message is thread-local: a failure on another thread
 *         never changes it.
 */
LR_API const char *lr_last_error(void);

/**
 * Forget this thread's last error message: lr_last_error() gives "" until
 * the next failing call.
 * Thread-safety: the message is thread-local.
 */
LR_API void lr_clear_error(void);

/**
 * Reserved.  No function of this library hands out memory for the caller
 * to free: results go into caller buffers, and strings returned are
 * borrowed (each comment says for how long).  lr_free() stays exported for
 * the ABI and for a future call that does allocate, whose comment will say
 * so; today it releases nothing lastrec gave out.  NULL is accepted.
 * Thread-safety: safe from any thread.
 */
LR_API void lr_free(void *ptr);

/* ----------------------------------------------------------------- logging */

/** Log levels, most severe first. */
enum lr_log_level {
    LR_LOG_ERROR = 0,
    LR_LOG_WARNING = 1,
    LR_LOG_INFO = 2,
    LR_LOG_DEBUG = 3
};

/**
 * A log handler.  @p message is borrowed for the duration of the call.
 * It may run on a worker thread.
 */
typedef void (*lr_log_fn)(int level, const char *message, void *user_data);

/**
 * Route lastrec's diagnostics (dropped rows, policies applied, warnings) to
 * @p fn; NULL silences them, which is the default.  Messages above
 * @p max_level are not produced at all.
 * Thread-safety: call once at start-up, before other threads use lastrec.
 */
LR_API void lr_set_log_handler(lr_log_fn fn, int max_level, void *user_data);

/* ---------------------------------------------------------------- progress */

/**
 * A progress callback: @p stage names the work ("read user_artists.dat",
 * "epoch"), @p done of @p total units are finished.  Returning non-zero
 * cancels the work, which then fails with LR_E_CANCELLED and leaves nothing
 * half-made.  It may run on a worker thread, never concurrently with itself.
 * @p user_data is the pointer given with the callback, passed through
 * untouched: lastrec borrows it and never reads or frees it.
 */
typedef int (*lr_progress_fn)(const char *stage, uint64_t done, uint64_t total,
                              void *user_data);

/* ------------------------------------------------------------ opaque types */

/** A set of options (see enum lr_option). */
typedef struct lr_options lr_options;
/** A loaded, processed, read-only listening data set. */
typedef struct lr_dataset lr_dataset;
/** A recommender model: created, fitted once, then read-only. */
typedef struct lr_model lr_model;
/** The metrics of one evaluation run. */
typedef struct lr_evaluation lr_evaluation;

/* ----------------------------------------------------------------- options */

/** Option value types, as reported by lr_option_info(). */
enum lr_option_type {
    LR_OPTTYPE_INT = 1,
    LR_OPTTYPE_DOUBLE = 2
};

/**
 * Option keys.  Numbered in ranges by area: 100 general, 200 data loading
 * and processing, 300 splits, 400 synthetic data, 500 models, 600 maps of
 * the artist vectors, 700 export; later areas follow.
 * Numbers never change.
 */
enum lr_option {
    LR_OPT_THREADS = 100,          /**< int: worker threads, 0 = all cores (default 0); never more than the online CPUs */
    LR_OPT_SEED = 101,             /**< int: seed of every random choice (default 42) */

    LR_OPT_MIN_TAG_USES = 200,     /**< int: drop tags used at most this often (default 2) */
    LR_OPT_MAX_LINE = 201,         /**< int: longest accepted input line in bytes (default 1 MiB) */
    LR_OPT_SKIP_BAD_LINES = 202,   /**< int: 1 = a lastfm-360K reader skips and counts malformed lines (LR_COUNT_BAD_LINES_SKIPPED) instead of failing, 0 (default) = fails (since 1.5) */

    LR_OPT_HOLDOUT_FRACTION = 300, /**< double: share of each user's artists held out (default 0.2) */

    LR_OPT_SYNTH_USERS = 400,      /**< int: synthetic users (default 600) */
    LR_OPT_SYNTH_ARTISTS = 401,    /**< int: synthetic artists (default 3000) */
    LR_OPT_SYNTH_CLUSTERS = 402,   /**< int: taste clusters (default 12) */
    LR_OPT_SYNTH_TAGS = 403,       /**< int: synthetic tags (default 240) */
    LR_OPT_SYNTH_ARTISTS_PER_USER = 404, /**< int: mean artists per user (default 40) */
    LR_OPT_SYNTH_FRIENDS_PER_USER = 405, /**< int: mean friends per user (default 6) */
    LR_OPT_SYNTH_BAD_LINES = 406,  /**< int: malformed lines lr_dataset_write_lastfm360k() plants (default 0; since 1.5) */
    LR_OPT_SYNTH_QUIRKS = 407,     /**< int: 1 (default) = lr_dataset_write_lastfm360k() plants the real file's quirks (missing MBIDs aside), 0 = none (since 1.5) */

    /* Models (500).  Where an algorithm has its own default (see
     * docs/models.md), it applies unless the option was set explicitly. */
    LR_OPT_FACTORS = 500,          /**< int: embedding dimension k (default 64) */
    LR_OPT_EPOCHS = 501,           /**< int: epochs / sweeps / iterations (per algorithm) */
    LR_OPT_LEARNING_RATE = 502,    /**< double: step size (per algorithm) */
    LR_OPT_OPTIMIZER = 503,        /**< int: an lr_optimizer (per algorithm) */
    LR_OPT_REGULARIZATION = 504,   /**< double: L2 weight lambda (per algorithm) */
    LR_OPT_GRAVITY = 505,          /**< double: mf gravity weight (default 0) */
    LR_OPT_INIT_SCALE = 506,       /**< double: sd of the normal initial factors (per algorithm) */
    LR_OPT_TRANSFORM = 507,        /**< int: an lr_transform of listen counts (per algorithm) */
    LR_OPT_ALPHA = 508,            /**< double: als confidence 1 + alpha * t(w) (per algorithm) */
    LR_OPT_NEGATIVES = 509,        /**< int: bpr negatives per positive (default 1) */
    LR_OPT_BATCH_SIZE = 510,       /**< int: mf pairs / softmax users per step, 0 = full batch (per algorithm) */
    LR_OPT_SOLVER = 511,           /**< int: an lr_solver for als (default LR_SOLVER_CG) */
    LR_OPT_CG_STEPS = 512,         /**< int: conjugate-gradient steps per row (default 3) */
    LR_OPT_BM25_K1 = 513,          /**< double: BM25 K1 (default 100) */
    LR_OPT_BM25_B = 514,           /**< double: BM25 B (default 0.8) */
    LR_OPT_MIN_LISTENERS = 515,    /**< int: ease and blend model artists with at least this many listeners (default 2) */
    LR_OPT_ITEM_BIAS = 516,        /**< int: bpr item bias, 0 or 1 (default 1) */
    LR_OPT_EPSILON = 517,          /**< double: Adagrad's epsilon (default 1e-8) */
    LR_OPT_EVAL_K = 518,           /**< int: cut-off k of validation metrics (default 10) */
    LR_OPT_ITEM_REGULARIZATION = 519, /**< double: blend's item model, L2 weight lambda (default 100) */
    LR_OPT_DROPOUT = 520,          /**< double: blend's item model, emphasised-dropout probability p (default 0.3) */
    LR_OPT_CALIBRATION = 521,      /**< double: blend's item model, column scaling exponent gamma (default 0.5) */
    LR_OPT_RANK_SPREAD = 522,      /**< double: blend's item model, play-count rank weighting s (default 1) */
    LR_OPT_BLEND_WEIGHT = 523,     /**< double: blend's weight of the factor scores, 0 = item model alone (default 1) */
    LR_OPT_HIDDEN_LAYERS = 524,    /**< int: softmax's hidden layers in the user tower, 1 to 8 (default 1) */
    LR_OPT_HIDDEN_WIDTH = 525,     /**< int: softmax's width of each hidden layer (default 256) */
    LR_OPT_TAG_DIM = 526,          /**< int: softmax's tag embedding size in the user tower (default 32) */
    LR_OPT_LABEL_FRACTION = 527,   /**< double: softmax's share of a user's artists drawn as labels each epoch (default 0.6) */
    LR_OPT_ITEM_TAGS = 528,        /**< int: softmax's item vectors add a projection of the artist's tags, 0 or 1 (default 1) */
    LR_OPT_SAMPLED_NEGATIVES = 529, /**< int: softmax's sampled negatives per batch, 0 = full softmax, -1 = full up to 200,000 artists and 4096 above (default -1; since 1.3) */
    LR_OPT_AVERAGING = 530,        /**< double: softmax keeps a moving average of its parameters with this decay per step, 0 = off (since 1.3) */
    LR_OPT_COLD_BOOST = 531,       /**< double: softmax adds this to the scores of tagged artists without training listens (default 0; since 1.3) */
    LR_OPT_SOFTMAX_WEIGHT = 532,   /**< double: blend's weight of its softmax part's scores, 0 = no softmax part (default 3; since 1.3) */
    LR_OPT_TOWER_SKIP = 533,       /**< int: softmax's user vector adds the input's artist mean to the tower's output, 0 or 1 (default 1; since 1.4) */
    LR_OPT_MASK_INPUT = 534,       /**< int: softmax's training leaves each user's input artists out of its softmax, 0 or 1 (default 1; since 1.4) */
    LR_OPT_LABEL_SMOOTHING = 535,  /**< double: softmax's training spreads this share of each user's label weight evenly over the artists of its softmax, 0 to 0.99 (default 0.2; since 1.5) */
    LR_OPT_COLD_MIX = 536,         /**< double: softmax's share of a cold draw given to the first-ranked artist without training listens (by its tags, vector and name), 0 = no mixture, up to 1 (default 0.06; since 1.5) */

    /* Maps of the artist vectors (600): lr_model_tsne() and lr_model_pca(),
     * docs/embed.md.  Since: 1.3. */
    LR_OPT_TSNE_PERPLEXITY = 600,  /**< double: t-SNE's perplexity, below (artists - 1) / 3 (default 30) */
    LR_OPT_TSNE_METRIC = 601,      /**< int: an lr_distance between artist vectors (default LR_DISTANCE_COSINE) */
    LR_OPT_TSNE_EXAGGERATION = 602, /**< double: early exaggeration factor (default 12) */
    LR_OPT_TSNE_EXAGGERATION_ITERATIONS = 603, /**< int: iterations exaggerated, at most tsne_iterations (default 250) */
    LR_OPT_TSNE_ITERATIONS = 604,  /**< int: all iterations, the exaggerated ones included (default 750) */
    LR_OPT_TSNE_LEARNING_RATE = 605, /**< double: step size, 0 = the "auto" rule from the artist count (default 0) */
    LR_OPT_TSNE_THETA = 606,       /**< double: Barnes-Hut angle (tsne_method barnes_hut), 0 = the exact gradient with either method (default 0.5) */
    LR_OPT_TSNE_KL_TOLERANCE = 607, /**< double: stop once the KL divergence improves less per 50 iterations, 0 = never (default 0) */
    LR_OPT_MAP_MIN_FANS = 608,     /**< int: maps take the artists with at least this many training listeners (default 1) */
    LR_OPT_TSNE_METHOD = 609,      /**< int: an lr_tsne_method, how t-SNE sums its repulsive forces (default LR_TSNE_FFT; since 1.4) */

    LR_OPT_EXPORT_FORMAT = 700     /**< int: an lr_export_format, what lr_model_export() writes (default LR_EXPORT_NPY; since 1.5) */
};

/** Optimisers for LR_OPT_OPTIMIZER. */
enum lr_optimizer {
    LR_OPTIMIZER_SGD = 1,    /**< plain (stochastic) gradient descent */
    LR_OPTIMIZER_ADAGRAD = 2, /**< per-parameter steps scaled by the gradient history */
    LR_OPTIMIZER_ADAM = 3     /**< Adagrad's scaling by a moving average, with momentum (softmax only; since 1.3) */
};

/** Transforms of a listen count w for LR_OPT_TRANSFORM. */
enum lr_transform {
    LR_TRANSFORM_RAW = 0,    /**< w itself (the notebook's choice) */
    LR_TRANSFORM_LOG1P = 1,  /**< log(1 + w) */
    LR_TRANSFORM_BINARY = 2, /**< 1 for every listened pair */
    LR_TRANSFORM_BM25 = 3    /**< BM25 weighting of the user-artist matrix (als) */
};

/** Row solvers of implicit ALS for LR_OPT_SOLVER. */
enum lr_solver {
    LR_SOLVER_CHOLESKY = 1, /**< exact: LAPACKE sposv on each row's k x k system */
    LR_SOLVER_CG = 2        /**< LR_OPT_CG_STEPS conjugate-gradient steps warm-started from the
                                 last sweep; rows with few listens are solved exactly (docs/models.md) */
};

/** Distances between artist vectors for LR_OPT_TSNE_METRIC.  Since: 1.3. */
enum lr_distance {
    LR_DISTANCE_EUCLIDEAN = 1, /**< Euclidean distance of the vectors */
    LR_DISTANCE_COSINE = 2     /**< 1 - cosine: the vectors' directions alone (the notebook's) */
};

/** How t-SNE sums its repulsive forces, for LR_OPT_TSNE_METHOD (docs/embed.md).  Since: 1.4. */
enum lr_tsne_method {
    LR_TSNE_BARNES_HUT = 1, /**< a quadtree, cells taken whole under the angle LR_OPT_TSNE_THETA (van der Maaten 2014) */
    LR_TSNE_FFT = 2         /**< interpolation on a grid and a convolution by FFT (Linderman et al. 2019) */
};

/** File formats of lr_model_export(), for LR_OPT_EXPORT_FORMAT (docs/formats.md).  Since: 1.5. */
enum lr_export_format {
    LR_EXPORT_NPY = 1 /**< NumPy .npy arrays (format 1.0, little-endian float32) and TSV ID maps */
};

/**
 * Create an option set holding every default.
 * @param[out] out the new set, owned by the caller, freed by lr_options_free().
 * @return LR_OK, LR_E_INVALID (out is NULL), LR_E_NOMEM.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_options_new(lr_options **out);

/**
 * Copy an option set.
 * @param[out] out the copy, owned by the caller.
 * @return LR_OK, LR_E_INVALID, LR_E_NOMEM.
 * Thread-safety: @p src may be shared read-only.
 */
LR_API int lr_options_copy(lr_options **out, const lr_options *src);

/** Free an option set.  NULL is accepted. */
LR_API void lr_options_free(lr_options *opts);

/**
 * Set an integer option.
 * @return LR_OK; LR_E_INVALID for an unknown key, a key of another type or a
 *         value outside the key's bounds (the message names key and range).
 * Thread-safety: needs exclusive access to @p opts.
 */
LR_API int lr_options_set_int(lr_options *opts, int key, int64_t value);

/**
 * Set a floating-point option.  Integer options accept integral values here.
 * @return LR_OK; LR_E_INVALID as for lr_options_set_int(), or a non-finite value.
 * Thread-safety: needs exclusive access to @p opts.
 */
LR_API int lr_options_set_double(lr_options *opts, int key, double value);

/**
 * Read an integer option.
 * @return LR_OK; LR_E_INVALID for an unknown key, a non-integer key or NULL.
 * Thread-safety: @p opts may be shared read-only.
 */
LR_API int lr_options_get_int(const lr_options *opts, int key, int64_t *value);

/**
 * Read an option as a double (works for every key).
 * @return LR_OK; LR_E_INVALID for an unknown key or NULL.
 * Thread-safety: @p opts may be shared read-only.
 */
LR_API int lr_options_get_double(const lr_options *opts, int key, double *value);

/**
 * Set options from text: "key=value,key=value" with the names of
 * lr_option_info() ("min_tag_uses=3,seed=7").  Enum-valued options also
 * take their values' names, case ignored ("transform=bm25,optimizer=sgd,
 * solver=cholesky"; lr_option_value_name()).  Spaces around items are
 * ignored.  Nothing is changed unless every item is valid.
 * @return LR_OK; LR_E_INVALID naming the item at fault (for a bad name,
 *         listing the valid ones).
 * Thread-safety: needs exclusive access to @p opts.
 */
LR_API int lr_options_set_string(lr_options *opts, const char *text);

/**
 * Describe an option.  Any out-parameter may be NULL.
 * @param[out] name  static lower-case name ("min_tag_uses").
 * @param[out] type  an lr_option_type.
 * @param[out] min,max,def  bounds and the generic default: what
 *             lr_options_new() holds.  A model substitutes its algorithm's
 *             own default for some keys (LR_OPT_REGULARIZATION is 0.05
 *             here and 15 for als); lr_option_default() gives those.
 * An enum-valued option (its comment above names an lr_ enum) has a name
 * for each value from @p min to @p max: lr_option_value_name().
 * @return LR_OK; LR_E_INVALID for an unknown key.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_option_info(int key, const char **name, int *type, double *min,
                          double *max, double *def);

/**
 * The name of a value of an enum-valued option (LR_OPT_OPTIMIZER,
 * LR_OPT_TRANSFORM, LR_OPT_SOLVER, LR_OPT_TSNE_METRIC): lr_option_value_name(LR_OPT_TRANSFORM,
 * LR_TRANSFORM_BM25) is "bm25".  These are the names
 * lr_options_set_string() accepts.
 * @return a static string, or NULL for a key without names or a value
 *         without a name.
 * Thread-safety: safe from any thread.
 * Since: 1.1 (LASTREC_1.1).
 */
LR_API const char *lr_option_value_name(int key, int64_t value);

/**
 * The value of an enum-valued option named @p name, case ignored
 * ("BM25" gives LR_TRANSFORM_BM25).
 * @param[out] value the option's value.
 * @return LR_OK; LR_E_NOTFOUND for a name the option does not have (the
 *         message lists the valid names); LR_E_INVALID for an unknown key,
 *         a key whose values have no names, or NULL.
 * Thread-safety: safe from any thread.
 * Since: 1.1 (LASTREC_1.1).
 */
LR_API int lr_option_value_lookup(int key, const char *name, int64_t *value);

/**
 * Find an option key by name.
 * @return LR_OK; LR_E_NOTFOUND for an unknown name.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_option_lookup(const char *name, int *key);

/**
 * Enumerate option keys: the @p index-th key, for index 0, 1, … .
 * @return the key, or 0 past the last one.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_option_key_at(size_t index);

/**
 * Attach a progress callback that long work started with these options
 * reports to.  NULL removes it; a second call replaces it.
 * @p fn and @p user_data are borrowed, not copied: they must stay valid
 * while a call made with @p opts runs, and, because lr_model_new() copies
 * them into the model, while that model may be fitted (until its last
 * lr_model_fit() returns, or lr_model_set_progress() replaces them).
 * Thread-safety: needs exclusive access to @p opts.
 */
LR_API void lr_options_set_progress(lr_options *opts, lr_progress_fn fn,
                                    void *user_data);

/* ----------------------------------------------------------------- dataset */

/** What a dataset was made from (lr_dataset_count(ds, LR_COUNT_SOURCE_KIND)). */
enum lr_source_kind {
    LR_SOURCE_HETREC = 1,    /**< a HetRec 2011 directory */
    LR_SOURCE_LISTENS = 2,   /**< one user_artists.dat-format file */
    LR_SOURCE_SNAPSHOT = 3,  /**< a snapshot written by lr_dataset_save() */
    LR_SOURCE_SYNTHETIC = 4, /**< lr_dataset_synthesize() */
    LR_SOURCE_SPLIT = 5,     /**< one side of a split */
    LR_SOURCE_BUILDER = 6,   /**< lr_dataset_builder_finish() (since 1.4) */
    LR_SOURCE_LASTFM360K = 7 /**< a lastfm-360K usersha1-artmbid-artname-plays.tsv (since 1.5) */
};

/** Counters for lr_dataset_count().  Numbers never change. */
enum lr_count {
    LR_COUNT_SOURCE_KIND = 0,        /**< an lr_source_kind */
    LR_COUNT_USERS = 1,              /**< users (with at least one listen, or in the catalogue) */
    LR_COUNT_ARTISTS = 2,            /**< artists in the catalogue */
    LR_COUNT_LISTENS = 3,            /**< (user, artist, count) rows */
    LR_COUNT_TAGS = 4,               /**< tags kept */
    LR_COUNT_TAGS_IN_FILE = 5,       /**< rows of tags.dat */
    LR_COUNT_TAGS_DROPPED = 6,       /**< tags used at most min_tag_uses times, or never */
    LR_COUNT_TAG_USES = 7,           /**< tag assignments kept */
    LR_COUNT_TAG_USES_IN_FILE = 8,   /**< rows of user_taggedartists.dat */
    LR_COUNT_TAG_USES_UNLISTENED = 9,   /**< uses dropped: artist nobody listened to */
    LR_COUNT_ARTISTS_UNLISTENED = 10,   /**< distinct such artists */
    LR_COUNT_TAG_USES_RARE = 11,     /**< uses dropped with their rare tag */
    LR_COUNT_FRIEND_ROWS = 12,       /**< rows of user_friends.dat */
    LR_COUNT_FRIEND_PAIRS = 13,      /**< distinct unordered friend pairs */
    LR_COUNT_LATIN1_FIXES = 14,      /**< invalid UTF-8 bytes read as Latin-1 */
    LR_COUNT_TIMESTAMPS_MERGED = 15, /**< tag uses timed from the timestamps file
                                          (from a builder: given a time) */
    LR_COUNT_MIN_TAG_USES = 16,      /**< the min_tag_uses the dataset was made with */
    LR_COUNT_FRIEND_ROWS_ONE_WAY = 17, /**< friend rows whose reverse row is missing */
    /** Tag assignments (user, artist, tag) a split's training side dropped
     *  because their (user, artist) pair is held out (docs/evaluation.md);
     *  0 for any other dataset.  Since: 1.2. */
    LR_COUNT_TAG_USES_HELD_OUT = 18,
    /** lastfm-360K: rows whose (user, artist) repeats an earlier row's,
     *  their plays summed into it (docs/formats.md).  Since: 1.5. */
    LR_COUNT_ROWS_SUMMED = 19,
    /** lastfm-360K: distinct (MBID, name as written) spellings of artists
     *  beyond one per artist: case and space variants, and names without
     *  an MBID merged into the MBID's artist.  Since: 1.5. */
    LR_COUNT_SPELLINGS_MERGED = 20,
    /** Malformed lines skipped under LR_OPT_SKIP_BAD_LINES.  Since: 1.5. */
    LR_COUNT_BAD_LINES_SKIPPED = 21,
    /** lastfm-360K: rows of usersha1-profile.tsv read (0 without it).
     *  Since: 1.5. */
    LR_COUNT_PROFILES = 22
};

/**
 * Load a data set: a HetRec 2011 directory, a lastfm-360K directory (one
 * holding usersha1-artmbid-artname-plays.tsv) or plays file (since 1.5;
 * docs/formats.md: keys, artist merging, LR_OPT_SKIP_BAD_LINES), a single
 * file in user_artists.dat format (listens alone, artists named by ID), or
 * a snapshot; the kind is recognised from the path and the file's first
 * bytes.
 * The data are processed as docs/data.md describes (tag names in CamelCase,
 * unlistened and rare tags dropped, statistics computed).
 * @param[out] out the dataset, owned by the caller, freed by lr_dataset_free().
 * @param opts may be NULL for defaults; LR_OPT_MIN_TAG_USES, LR_OPT_MAX_LINE,
 *        LR_OPT_SKIP_BAD_LINES (lastfm-360K) and the progress callback apply.
 * @return LR_OK, LR_E_INVALID, LR_E_NOMEM, LR_E_IO (missing or unreadable
 *         file), LR_E_EMPTY, LR_E_HEADER, LR_E_PARSE, LR_E_RANGE,
 *         LR_E_DUPLICATE, LR_E_ENCODING, LR_E_TOOLONG, LR_E_NOTFOUND (a row
 *         naming an unknown user, artist or tag), LR_E_FORMAT (bad snapshot),
 *         LR_E_CANCELLED.  The message names file, line and field.
 * Thread-safety: safe from any thread; the result may be shared read-only.
 */
LR_API int lr_dataset_load(lr_dataset **out, const char *path,
                           const lr_options *opts);

/**
 * Load a file in user_artists.dat format as listens over the users and
 * artists of @p catalogue (names, tags and friends are taken from it).  Used
 * for a given train/test pair: both load against the same catalogue.
 * @param catalogue borrowed for the call only; the result copies what it needs.
 * @return as lr_dataset_load(); LR_E_NOTFOUND names the line of an ID the
 *         catalogue lacks.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_dataset_load_listens(lr_dataset **out, const char *path,
                                   const lr_dataset *catalogue,
                                   const lr_options *opts);

/**
 * Load a split given as two files in user_artists.dat format, both over the
 * users and artists of @p catalogue, as lr_dataset_load_listens() loads
 * each, and keep the protocol's rule that no tag can leak into the test
 * (docs/evaluation.md): the training side drops every tag assignment
 * (user, artist, tag) whose (user, artist) pair is held out, and keeps all
 * others; lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT) says how
 * many it dropped.  A pair is held out when the test file has it (also
 * when, in a hand-made pair of files, the training file has it too).
 * Without a test file (@p test_path and @p test NULL) the training file is
 * taken to be one side of a split of the catalogue's listens, and the held-
 * out pairs are the catalogue's pairs that the training file lacks.
 * @param[out] train owned by the caller.
 * @param[out] test owned by the caller; NULL exactly when @p test_path is.
 * @param catalogue borrowed for the call only.
 * @return as lr_dataset_load_listens(); LR_E_INVALID for a NULL argument,
 *         or @p test and @p test_path not both given or both NULL.  On
 *         failure *train and *test are NULL.
 * Thread-safety: safe from any thread.
 * Since: 1.2 (LASTREC_1.2).
 */
LR_API int lr_dataset_load_split(lr_dataset **train, lr_dataset **test,
                                 const char *train_path, const char *test_path,
                                 const lr_dataset *catalogue,
                                 const lr_options *opts);

/** Free a dataset.  NULL is accepted. */
LR_API void lr_dataset_free(lr_dataset *ds);

/**
 * Save the processed dataset as one binary snapshot (versioned,
 * little-endian, a checksum per section), written to a temporary name in the
 * same directory and renamed, so @p path is never half-written.
 * @return LR_OK, LR_E_INVALID, LR_E_IO, LR_E_NOMEM.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_save(const lr_dataset *ds, const char *path);

/**
 * Build a HetRec-shaped synthetic dataset: users in taste clusters, artists
 * with Zipf-like popularity inside clusters, tags tied to clusters, listen
 * counts, friends drawn by shared taste.  Options LR_OPT_SYNTH_* and
 * LR_OPT_SEED apply; the same options give the same dataset.
 * @return LR_OK, LR_E_INVALID, LR_E_NOMEM.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_dataset_synthesize(lr_dataset **out, const lr_options *opts);

/* ------------------------------------------------- datasets from memory */

/**
 * A dataset under construction from the caller's own data (since 1.4):
 * listens, artist names, tag uses and friends added by calls instead of
 * read from HetRec files.  lr_dataset_builder_finish() applies exactly the
 * file loader's processing (docs/data.md): the same checks across
 * elements (a repeated listen is LR_E_DUPLICATE, a friend or tagger without
 * listens LR_E_NOTFOUND), tag names in CamelCase, LR_OPT_MIN_TAG_USES, tag
 * uses on artists nobody listened to dropped, friendships made symmetric,
 * and the same lr_dataset_count() statistics.
 *
 * IDs are the caller's non-negative 32-bit integers, as HetRec's are, and
 * map to dense indices as the loader's do; every call of the dataset and
 * models then speaks these IDs.  Not strings: a number is what the rest of
 * the API (recommendations, model files, the tool) returns and takes, so a
 * caller with string keys keeps its own key-to-ID map and names artists
 * with lr_dataset_builder_set_artist_name().  Tags have IDs and names as
 * in tags.dat; lr_dataset_builder_add_tag_uses_by_name() numbers them for
 * callers that have names only.
 *
 * Thread-safety: a builder is used by one thread at a time; distinct
 * builders are independent.
 */
typedef struct lr_dataset_builder lr_dataset_builder;

/**
 * Start an empty builder.
 * @param[out] out the builder, owned by the caller, freed by
 *   lr_dataset_builder_free() (also after finishing).
 * @param opts borrowed, may be NULL (defaults); copied, so it may be freed
 *   at once.  LR_OPT_MIN_TAG_USES applies at finish, and a progress
 *   callback set on @p opts is called by lr_dataset_builder_finish(), so
 *   its user_data must still be valid then.
 * @return LR_OK, LR_E_INVALID (out NULL), LR_E_NOMEM.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_dataset_builder_new(lr_dataset_builder **out, const lr_options *opts);

/**
 * Add listens: user @p users[i] played artist @p artists[i]
 * @p counts[i] times, for i < @p n.  The arrays are borrowed for the call
 * and copied.  Every element is checked before any is added: an ID below 0,
 * a count below 1 or above 2147483647 is LR_E_INVALID with a message that
 * names the call and the element ("lr_dataset_builder_add_listens: element
 * 17: count -3 is negative"), and the builder is unchanged.  The same
 * (user, artist) twice, in one call or several, fails at finish.
 * Counts above 2^24 are stored in float precision, with a warning through
 * the log handler, as the file loader does.
 * @param b the builder.
 * @param users,artists,counts @p n elements each (may be NULL when n = 0).
 * @param n the number of listens.
 * @return LR_OK; LR_E_INVALID (a bad element, a NULL array, a finished or
 *   broken builder); LR_E_NOMEM, after which the builder is broken: only
 *   lr_dataset_builder_free() remains.
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_add_listens(lr_dataset_builder *b, const int32_t *users,
                                          const int32_t *artists, const int64_t *counts,
                                          size_t n);

/**
 * Add one listen: lr_dataset_builder_add_listens() with n = 1.
 * @param b the builder.
 * @param user,artist external IDs, at least 0.
 * @param count the number of plays, 1 to 2147483647.
 * @return as lr_dataset_builder_add_listens().
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_add_listen(lr_dataset_builder *b, int32_t user, int32_t artist,
                                         int64_t count);

/**
 * Name an artist, as a row of artists.dat does.  An artist named but never
 * listened to joins the catalogue without listeners; one listened to but
 * never named is named by its ID in decimal.  Invalid UTF-8 in @p name is
 * read as Latin-1 and counted (LR_COUNT_LATIN1_FIXES).  Naming the same
 * artist twice fails at finish with LR_E_DUPLICATE, as a repeated ID in
 * artists.dat does.
 * @param b the builder.
 * @param artist the external ID, at least 0.
 * @param name borrowed for the call and copied; NUL-terminated.
 * @return LR_OK; LR_E_INVALID (negative ID, NULL name, a finished or
 *   broken builder); LR_E_NOMEM (the builder is broken).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_set_artist_name(lr_dataset_builder *b, int32_t artist,
                                              const char *name);

/**
 * Name a tag, as a row of tags.dat does: the name as users wrote it
 * ("hip hop"), made CamelCase at finish ("HipHop").  Two IDs may carry the
 * same name and stay two tags, as in tags.dat; naming one ID twice fails at
 * finish with LR_E_DUPLICATE.  Invalid UTF-8 is read as Latin-1 and
 * counted.  Tags named but never used count as dropped
 * (LR_COUNT_TAGS_DROPPED), as unused rows of tags.dat do.
 * @param b the builder.
 * @param tag the external tag ID, at least 0.
 * @param name borrowed for the call and copied; NUL-terminated.
 * @return LR_OK; LR_E_INVALID (negative ID, NULL name, a finished or
 *   broken builder); LR_E_NOMEM (the builder is broken).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_set_tag_name(lr_dataset_builder *b, int32_t tag,
                                           const char *name);

/**
 * Add tag uses by tag ID: user @p users[i] tagged artist @p artists[i]
 * with tag @p tags[i], for i < @p n, as the rows of
 * user_taggedartists.dat do.  A tag never named with
 * lr_dataset_builder_set_tag_name() fails at finish (LR_E_NOTFOUND).  Uses
 * of tags used at most LR_OPT_MIN_TAG_USES times, and uses on artists
 * nobody listened to, are dropped at finish and counted.  Elements are
 * checked before any is added, as in lr_dataset_builder_add_listens().
 * @param b the builder.
 * @param users,artists,tags external IDs, at least 0 (@p n each), borrowed
 *   for the call and copied.
 * @param times_ms @p n times in milliseconds since 1970-01-01 UTC, or NULL
 *   for none (time 0); counted by LR_COUNT_TIMESTAMPS_MERGED when given.
 * @param n the number of uses.
 * @return LR_OK; LR_E_INVALID (negative ID, NULL array, a finished or
 *   broken builder); LR_E_NOMEM (the builder is broken).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_add_tag_uses(lr_dataset_builder *b, const int32_t *users,
                                           const int32_t *artists, const int32_t *tags,
                                           const int64_t *times_ms, size_t n);

/**
 * Add tag uses by tag name, for callers without tag IDs: each name stands
 * for the first tag named so (by lr_dataset_builder_set_tag_name() or an
 * earlier use), and a new name becomes a new tag whose ID is one above
 * every tag ID so far (1 for the first), so IDs follow first use.
 * Otherwise as lr_dataset_builder_add_tag_uses().
 * @param b the builder.
 * @param users,artists external IDs, at least 0 (@p n each).
 * @param tags @p n NUL-terminated names, borrowed for the call and copied.
 * @param times_ms @p n times in milliseconds since 1970-01-01 UTC, or NULL.
 * @param n the number of uses.
 * @return LR_OK; LR_E_INVALID (negative ID, NULL name or array, a finished
 *   or broken builder); LR_E_RANGE (no tag ID left); LR_E_NOMEM (the
 *   builder is broken).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_add_tag_uses_by_name(lr_dataset_builder *b,
                                                   const int32_t *users,
                                                   const int32_t *artists,
                                                   const char *const *tags,
                                                   const int64_t *times_ms, size_t n);

/**
 * Add friendships: @p users[i] is a friend of @p friends[i], for i < @p n.
 * One direction is enough: a pair without its reverse is completed at
 * finish and counted (LR_COUNT_FRIEND_ROWS_ONE_WAY), as the loader does
 * with user_friends.dat.  A user listed as their own friend is
 * LR_E_INVALID; the same ordered pair twice fails at finish.
 * @param b the builder.
 * @param users,friends external user IDs, at least 0 (@p n each), borrowed
 *   for the call and copied.
 * @param n the number of pairs.
 * @return LR_OK; LR_E_INVALID; LR_E_NOMEM (the builder is broken).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_add_friends(lr_dataset_builder *b, const int32_t *users,
                                          const int32_t *friends, size_t n);

/**
 * Make the dataset (kind LR_SOURCE_BUILDER).  Problems across elements are
 * named by the kind of element and its index, counted from 0 over all the
 * calls that added that kind ("lr_dataset_builder_finish: listens: element
 * 40: user 2 and artist 7 repeat element 3").  Whatever the outcome, the
 * builder is finished: its memory is released and every later call on it
 * but lr_dataset_builder_free() is LR_E_INVALID.
 * @param b the builder.
 * @param[out] out the dataset, owned by the caller, freed by
 *   lr_dataset_free().
 * @return LR_OK, LR_E_INVALID (NULL argument, finished or broken builder),
 *   LR_E_DUPLICATE, LR_E_NOTFOUND, LR_E_RANGE, LR_E_NOMEM, LR_E_CANCELLED
 *   (from the progress callback).
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API int lr_dataset_builder_finish(lr_dataset_builder *b, lr_dataset **out);

/**
 * Free a builder, finished or not; NULL is a no-op.
 * @param b the builder, owned by the caller.
 * Thread-safety: needs exclusive access to @p b.
 */
LR_API void lr_dataset_builder_free(lr_dataset_builder *b);

/**
 * Write the dataset as a HetRec 2011 directory (artists.dat, tags.dat,
 * user_artists.dat, user_friends.dat, user_taggedartists.dat), each file
 * written to a temporary name and renamed.  The directory is created if
 * missing.  Only kept tags are written.
 * @return LR_OK, LR_E_INVALID, LR_E_IO, LR_E_NOMEM.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_write_hetrec(const lr_dataset *ds, const char *dir);

/**
 * Write the dataset in the lastfm-360K format: usersha1-artmbid-artname-plays.tsv
 * and usersha1-profile.tsv in @p dir (created if missing), each written to
 * a temporary name and renamed.  Users get made-up SHA-1 keys, a share of
 * artists made-up MusicBrainz IDs; with LR_OPT_SYNTH_QUIRKS (default 1)
 * the real file's quirks are planted: artists without an MBID, the same
 * artist under a second spelling, rows split in two, non-ASCII names; and
 * LR_OPT_SYNTH_BAD_LINES malformed lines (docs/formats.md says which).
 * Loading the result gives back the same listens (artists renumbered,
 * renamed where non-ASCII names were planted).  The same dataset and
 * options (LR_OPT_SEED) give the same bytes.
 * @param opts may be NULL for defaults.
 * @return LR_OK, LR_E_INVALID, LR_E_IO, LR_E_NOMEM.
 * Thread-safety: @p ds may be shared read-only.  Since: 1.5.
 */
LR_API int lr_dataset_write_lastfm360k(const lr_dataset *ds, const char *dir,
                                       const lr_options *opts);

/**
 * A counter of the dataset or its processing (enum lr_count).
 * @return the count, or -1 for an unknown counter or NULL dataset.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int64_t lr_dataset_count(const lr_dataset *ds, int which);

/** Which IDs lr_dataset_ids() lists. */
enum lr_id_kind {
    LR_IDS_USERS = 1,
    LR_IDS_ARTISTS = 2,
    LR_IDS_TAGS = 3
};

/**
 * Copy the sorted external IDs of users, artists or kept tags into @p out:
 * a complete list (all or nothing).
 * @param[out] needed the number of IDs (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing written);
 *         LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_ids(const lr_dataset *ds, int kind, int32_t *out,
                          size_t capacity, size_t *needed);

/**
 * An artist's name.
 * @return a borrowed UTF-8 string valid while @p ds lives, or NULL for an
 *         unknown artist ID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API const char *lr_dataset_artist_name(const lr_dataset *ds, int32_t artist_id);

/**
 * A kept tag's name, in CamelCase ("HipHop").
 * @return a borrowed string valid while @p ds lives, or NULL for an unknown
 *         or dropped tag.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API const char *lr_dataset_tag_name(const lr_dataset *ds, int32_t tag_id);

/**
 * Find artists whose name contains @p text, ignoring case and accents
 * ("beyonce" finds "Beyoncé").  Candidates are ranked: an exact
 * (case- and accent-insensitive) match first, then names starting with the
 * text, then by fan count, then by ID.
 * A ranked list: the best @p capacity candidates are written and the rest
 * left out.
 * @param[out] ids the first @p capacity candidates (may be NULL when
 *             capacity is 0).
 * @param[out] needed the number of all candidates, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed and when nothing matches
 *         (*needed = 0); LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_find_artist(const lr_dataset *ds, const char *text,
                                  int32_t *ids, size_t capacity, size_t *needed);

/**
 * A user's key in the source files: the 40 hex digits (lower case) of the
 * SHA-1 a lastfm-360K file names the user by.  Users of such a file have
 * IDs 1..N in order of first appearance (docs/formats.md).
 * @return a borrowed string valid while @p ds lives, or NULL for an
 *         unknown user ID or a dataset whose users have no key (HetRec,
 *         builder, synthetic, snapshot).
 * Thread-safety: @p ds may be shared read-only.  Since: 1.5.
 */
LR_API const char *lr_dataset_user_key(const lr_dataset *ds, int32_t user_id);

/**
 * The user ID of a key (as lr_dataset_user_key() gives it; upper-case hex
 * digits match too).
 * @param[out] user_id the ID, or 0 when not found.
 * @return LR_OK; LR_E_NOTFOUND when no user has the key (or the dataset
 *         has no keys); LR_E_INVALID for a NULL argument.
 * Thread-safety: @p ds may be shared read-only.  Since: 1.5.
 */
LR_API int lr_dataset_find_user_key(const lr_dataset *ds, const char *key, int32_t *user_id);

/** Per-artist and per-user statistics for lr_dataset_artist_stat() and
 *  lr_dataset_user_stat(). */
enum lr_stat {
    LR_STAT_TOTAL_LISTENS = 1, /**< sum of listen counts */
    LR_STAT_MEAN_LISTENS = 2,  /**< total / number of rows (0 when none) */
    LR_STAT_COUNT = 3,         /**< artist: fans; user: artists listened to */
    LR_STAT_TOP_TAG = 4,       /**< tag ID of the most used kept tag, -1 when none */
    LR_STAT_TAG_USES = 5,      /**< kept tag uses on the artist / by the user */
    LR_STAT_FRIENDS = 6        /**< user only: number of friends */
};

/**
 * A statistic of one artist.
 * @return LR_OK; LR_E_NOTFOUND for an unknown artist; LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_artist_stat(const lr_dataset *ds, int32_t artist_id,
                                  int which, double *value);

/**
 * A statistic of one user.
 * @return LR_OK; LR_E_NOTFOUND for an unknown user; LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_user_stat(const lr_dataset *ds, int32_t user_id,
                                int which, double *value);

/**
 * The kept tags of an artist with their use counts, most used first (ties
 * by tag ID).  A ranked list: the @p capacity most used are written and the
 * rest left out.
 * @param[out] tag_ids,counts the first @p capacity entries (both may be NULL
 *             when capacity is 0).
 * @param[out] needed the number of tags of the artist, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_NOTFOUND;
 *         LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_artist_tags(const lr_dataset *ds, int32_t artist_id,
                                  int32_t *tag_ids, int64_t *counts,
                                  size_t capacity, size_t *needed);

/**
 * The kept tags one user gave one artist, by tag ID: a complete list (all
 * or nothing).
 * @param[out] needed the number of such tags (may be NULL).
 * @return LR_OK, LR_E_NOTFOUND (unknown user or artist),
 *         LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_user_artist_tags(const lr_dataset *ds, int32_t user_id,
                                       int32_t artist_id, int32_t *tag_ids,
                                       size_t capacity, size_t *needed);

/**
 * A user's listens: artist IDs ascending and their listen counts, a complete
 * list (all or nothing).  Either array may be NULL and is then skipped.
 * @param[out] needed the number of the user's artists (may be NULL).
 * @return LR_OK, LR_E_NOTFOUND, LR_E_BUFSIZE when @p capacity < *needed (nothing written),
 *         LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_user_listens(const lr_dataset *ds, int32_t user_id,
                                   int32_t *artist_ids, float *counts,
                                   size_t capacity, size_t *needed);

/**
 * A user's friends, by user ID ascending: a complete list (all or nothing).
 * @param[out] needed the number of friends (may be NULL).
 * @return LR_OK, LR_E_NOTFOUND, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_user_friends(const lr_dataset *ds, int32_t user_id,
                                   int32_t *friend_ids, size_t capacity,
                                   size_t *needed);

/** Measures of taste overlap between two users. */
enum lr_overlap {
    LR_OVERLAP_SHARED = 1,  /**< number of artists both listened to */
    LR_OVERLAP_JACCARD = 2, /**< shared / artists either listened to */
    LR_OVERLAP_COSINE = 3   /**< cosine of the log1p listen-count vectors */
};

/**
 * Taste overlap of two users (friends or not).
 * @return LR_OK, LR_E_NOTFOUND, LR_E_INVALID.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_user_overlap(const lr_dataset *ds, int32_t user_a,
                                   int32_t user_b, int which, double *value);

/** Distributions for lr_dataset_distribution(): one value per item. */
enum lr_distribution {
    LR_DIST_USER_LISTENS = 1,       /**< per user: total listen count */
    LR_DIST_ARTIST_LISTENS = 2,     /**< per artist: total listen count */
    LR_DIST_USER_ARTISTS = 3,       /**< per user: artists listened to */
    LR_DIST_ARTIST_FANS = 4,        /**< per artist: fans */
    LR_DIST_USER_TAGGED_ARTISTS = 5, /**< per user: distinct artists tagged (kept uses) */
    LR_DIST_TAG_SESSIONS = 6,       /**< per tagged (user, artist): distinct tagging days */
    LR_DIST_TAGS_PER_USER_ARTIST = 7, /**< per tagged (user, artist): tags given */
    LR_DIST_FRIEND_JACCARD = 8,     /**< per friend pair: Jaccard overlap */
    LR_DIST_RANDOM_JACCARD = 9,     /**< per seeded random non-friend pair (as many as friend pairs) */
    LR_DIST_FRIEND_COSINE = 10,     /**< per friend pair: cosine of log1p vectors */
    LR_DIST_RANDOM_COSINE = 11,     /**< per random non-friend pair */
    LR_DIST_FRIEND_SHARED = 12,     /**< per friend pair: shared artists */
    LR_DIST_RANDOM_SHARED = 13,     /**< per random non-friend pair */
    LR_DIST_TAG_USES = 14,          /**< per kept tag: uses */
    LR_DIST_USER_TAG_REPEATS = 15   /**< per user with tag uses: share of uses whose tag the user had already used on another artist */
};

/**
 * Copy one value per item of a distribution into @p out, in ID order of
 * the items (random pairs in drawing order, seeded by LR_OPT_SEED = 42): a
 * complete list (all or nothing).
 * @param[out] needed the number of values (may be NULL).
 * @return LR_OK, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID, LR_E_NOMEM.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_distribution(const lr_dataset *ds, int which,
                                   double *out, size_t capacity,
                                   size_t *needed);

/** How lr_dataset_split() holds out listens. */
enum lr_split_method {
    /** Per user: a user with n >= 2 artists has max(1, round(f*n)) held out
     *  at random; a user with one artist keeps it (docs/cli.md, "lastrec eval"). */
    LR_SPLIT_PER_USER = 1,
    /** The notebook's holdout: a random f of all (user, artist) rows. */
    LR_SPLIT_RANDOM_PAIRS = 2
};

/**
 * Split the listens into a training and a test dataset over the same
 * catalogue (users, artists, names, tags and friends are shared; statistics
 * are recomputed from each side's listens).  The training side drops the
 * tag assignments whose (user, artist) pair is held out, so that no tag
 * leaks into the test (LR_COUNT_TAG_USES_HELD_OUT counts them; its top tags
 * and tag counts follow from the tags it keeps); the test side keeps all.
 * LR_OPT_HOLDOUT_FRACTION and LR_OPT_SEED apply.
 * @param[out] train,test owned by the caller.
 * @return LR_OK, LR_E_INVALID, LR_E_NOMEM.
 * Thread-safety: @p ds may be shared read-only.
 */
LR_API int lr_dataset_split(const lr_dataset *ds, int method,
                            const lr_options *opts, lr_dataset **train,
                            lr_dataset **test);

/* ------------------------------------------------------------------ models */

/** Algorithms for lr_model_new(). */
enum lr_algorithm {
    LR_ALGO_POP = 1,  /**< popularity (fan count): the baseline */
    LR_ALGO_MF = 2,   /**< matrix factorisation on observed weights, L2 + gravity (the notebook's) */
    LR_ALGO_ALS = 3,  /**< implicit-feedback alternating least squares */
    LR_ALGO_BPR = 4,  /**< Bayesian personalised ranking */
    LR_ALGO_EASE = 5, /**< EASE item-item linear autoencoder (no embeddings) */
    LR_ALGO_BLEND = 6, /**< the best model: a rank-weighted item-item autoencoder and implicit
                           ALS, their per-user standardised scores added (embeddings: als's) */
    LR_ALGO_SOFTMAX = 7 /**< two-tower softmax: a user tower over the user's artists and their
                           tags, item vectors with a tag projection, cross-entropy over the
                           catalogue */
};

/**
 * The name of an algorithm ("als").
 * @return a static string, or NULL for an unknown algorithm.
 * Thread-safety: safe from any thread.
 */
LR_API const char *lr_algorithm_name(int algorithm);

/**
 * Find an algorithm by name.
 * @return LR_OK; LR_E_NOTFOUND for an unknown name (the message lists the
 *         known ones); LR_E_INVALID for NULL.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_algorithm_lookup(const char *name, int *algorithm);

/**
 * Create an unfitted model.  The options are copied; options the caller did
 * not set take the algorithm's defaults (docs/models.md).
 * @param opts may be NULL; its progress callback and user_data are kept
 *        for every lr_model_fit() of the model (borrowed: see
 *        lr_options_set_progress()) until lr_model_set_progress() replaces
 *        them.
 * @param[out] out owned by the caller, freed by lr_model_free().
 * @return LR_OK, LR_E_INVALID (unknown algorithm), LR_E_NOMEM.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_model_new(lr_model **out, int algorithm, const lr_options *opts);

/**
 * Fit the model to @p train.  When @p validation (a dataset over the same
 * catalogue, e.g. the other side of lr_dataset_split()) is given, each
 * epoch's history also holds the validation loss and ranking metrics.
 * Progress is reported per epoch (stage "epoch"); a cancelled fit returns
 * LR_E_CANCELLED and leaves the model unfitted.  A model is fitted once.
 * @param train,validation borrowed for the call only: the model keeps what
 *        it needs (IDs, names, top tags, the training listens).
 * @return LR_OK, LR_E_INVALID (already fitted, empty or mismatched data),
 *         LR_E_NOMEM, LR_E_NUMERIC (non-finite values: the message says
 *         which setting to change; a singular ALS system: raise
 *         regularization), LR_E_CANCELLED.
 * Thread-safety: needs exclusive access to @p m; uses LR_OPT_THREADS
 *         threads.  Same seed and options give the same model bit for bit
 *         on one machine: for any thread count, or for bpr for the same
 *         thread count (docs/api.md, "Determinism").
 */
LR_API int lr_model_fit(lr_model *m, const lr_dataset *train,
                        const lr_dataset *validation);

/** Free a model.  NULL is accepted. */
LR_API void lr_model_free(lr_model *m);

/**
 * Replace the progress callback the model's fits report to (the one of the
 * options it was created with, until this is called); NULL clears it.
 * After a cancelled fit the model is unfitted and may be fitted again:
 * clear or replace the callback that cancelled first, or that fit is
 * cancelled again.  @p fn and @p user_data are borrowed: they must stay
 * valid until the last lr_model_fit() on @p m returns or they are
 * replaced.  A NULL model is ignored.
 * Thread-safety: needs exclusive access to @p m (not during a fit).
 * Since: 1.1 (LASTREC_1.1).
 */
LR_API void lr_model_set_progress(lr_model *m, lr_progress_fn fn, void *user_data);

/**
 * The algorithm of a model.
 * @return an lr_algorithm, or 0 for NULL.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_algorithm(const lr_model *m);

/**
 * 1 when the model has been fitted (or loaded), else 0.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_is_fitted(const lr_model *m);

/**
 * The default of an option for models of @p algorithm: what
 * lr_model_option() reports for a model made with options that leave
 * @p key alone (for example LR_OPT_REGULARIZATION: 15 for als, 0.05 for
 * mf).  Keys an algorithm does not substitute give lr_option_info()'s
 * generic default.
 * @param[out] value the default, as a double (integer options are exact).
 * @return LR_OK; LR_E_INVALID for an unknown algorithm or key, or NULL.
 * Thread-safety: safe from any thread.
 * Since: 1.1 (LASTREC_1.1).
 */
LR_API int lr_option_default(int algorithm, int key, double *value);

/**
 * The value of an option as the model uses it (the algorithm's default
 * where the caller set none).
 * @return LR_OK; LR_E_INVALID for an unknown key or NULL.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_option(const lr_model *m, int key, double *value);

/** Which embedding matrix lr_model_embeddings() returns. */
enum lr_embedding {
    LR_EMBEDDING_USERS = 1,  /**< users x k, rows in ascending user ID */
    LR_EMBEDDING_ARTISTS = 2 /**< artists x k, rows in ascending artist ID */
};

/**
 * A borrowed view of a fitted model's embeddings: float32, row-major.
 * Row i belongs to the i-th ID of lr_model_ids().
 * @param[out] data borrowed; valid until the model is freed.
 * @return LR_OK; LR_E_UNSUPPORTED for models without embeddings (pop,
 *         ease, blend with blend_weight 0; blend's embeddings are its als
 *         part's, never its softmax part's); LR_E_INVALID when unfitted or
 *         for NULL arguments.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_embeddings(const lr_model *m, int which, const float **data,
                               size_t *rows, size_t *cols);

/**
 * The user or artist IDs of a fitted model (LR_IDS_USERS / LR_IDS_ARTISTS),
 * ascending: the row order of its embeddings.  A complete list (all or
 * nothing).
 * @param[out] needed the number of IDs (may be NULL).
 * @return LR_OK, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID (NULL
 *         or unfitted model, unknown kind).
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_ids(const lr_model *m, int kind, int32_t *out,
                        size_t capacity, size_t *needed);

/** Columns of the training history, one value per epoch. */
enum lr_history_field {
    LR_HISTORY_LOSS = 1,           /**< total training objective */
    LR_HISTORY_LOSS_OBSERVED = 2,  /**< its data part (error / ranking loss) */
    LR_HISTORY_LOSS_L2 = 3,        /**< its L2 part */
    LR_HISTORY_LOSS_GRAVITY = 4,   /**< its gravity part (mf) */
    LR_HISTORY_VAL_LOSS = 5,       /**< the data loss on the validation set */
    LR_HISTORY_VAL_NDCG = 6,       /**< NDCG\@k on the validation set (k = LR_OPT_EVAL_K) */
    LR_HISTORY_VAL_PRECISION = 7,  /**< Precision\@k on the validation set */
    LR_HISTORY_SECONDS = 8         /**< wall-clock seconds since the fit began */
};

/**
 * One column of the training history, one value per epoch; NaN where the
 * value was not measured (no validation set, or not defined for the
 * algorithm).  A complete list (all or nothing).
 * @param[out] needed the number of epochs recorded (may be NULL).
 * @return LR_OK, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_history(const lr_model *m, int field, double *out,
                            size_t capacity, size_t *needed);

/**
 * Save a fitted model as one binary file (versioned, little-endian, a
 * checksum per section) holding everything queries need without the dataset:
 * options, embeddings or item weights, ID maps, artist names and top tags,
 * the training listens.  Written to a temporary name and renamed.
 * @return LR_OK, LR_E_INVALID (unfitted), LR_E_IO, LR_E_NOMEM.
 * Thread-safety: @p m may be shared read-only.
 */
LR_API int lr_model_save(const lr_model *m, const char *path);

/**
 * Load a model saved by lr_model_save().  Every size, offset and checksum is
 * verified; a round trip is bit-identical.
 * @return LR_OK, LR_E_IO, LR_E_FORMAT (truncated, corrupt, other version),
 *         LR_E_NOMEM, LR_E_INVALID.
 * Thread-safety: safe from any thread.
 */
LR_API int lr_model_load(lr_model **out, const char *path);

/**
 * Write a fitted model's vectors for a serving system (an approximate
 * nearest-neighbour index such as faiss or hnswlib) into the directory
 * @p dir, created with its parents when missing.  With LR_EXPORT_NPY
 * (docs/formats.md, "Serving export"): users.npy and artists.npy, the
 * matrices of lr_model_embeddings() in the row order of lr_model_ids();
 * users.tsv and artists.tsv, row index to external ID (and, for artists,
 * name); and artist_bias.npy when the model adds a per-artist bias to the
 * dot product (bpr with item_bias, softmax with cold_boost), removed from
 * @p dir otherwise so a stale one is never read with new vectors.  A
 * user's score of an artist is then the dot product of their rows, plus
 * that bias.  Each file is written under a temporary name, and all are
 * synced before the first is renamed: none is ever left half-written, and
 * a failure while writing renames nothing.
 * @param dir the directory (borrowed for the call).
 * @param opts may be NULL for defaults; LR_OPT_EXPORT_FORMAT applies.
 * @return LR_OK; LR_E_INVALID (NULL argument, unfitted model, empty
 *         @p dir); LR_E_UNSUPPORTED (pop and ease, which have no vectors,
 *         and blend, whose standardised sum of parts no dot product
 *         reproduces: the message says which); LR_E_IO (a directory that
 *         cannot be made, a file that cannot be written: the message names
 *         it); LR_E_NOMEM.
 * Thread-safety: @p m may be shared read-only; two exports into one
 *         directory at once leave one export's files or the other's.
 * Since: 1.5 (LASTREC_1.5).
 */
LR_API int lr_model_export(const lr_model *m, const char *dir, const lr_options *opts);

/* -------------------------------------------------------------- evaluation */

/** Metrics of lr_evaluation_metric(), as docs/evaluation.md defines them. */
enum lr_metric {
    LR_METRIC_PRECISION = 1, /**< Precision\@k, averaged over evaluated users */
    LR_METRIC_RECALL = 2,    /**< Recall\@k */
    LR_METRIC_NDCG = 3,      /**< NDCG\@k, binary relevance */
    LR_METRIC_MAP = 4,       /**< MAP\@k */
    LR_METRIC_HITRATE = 5,   /**< HitRate\@k */
    LR_METRIC_COVERAGE = 6,  /**< distinct recommended artists / catalogue */
    LR_METRIC_RMSE = 7,      /**< mf: RMSE of held-out weights under the model's transform; NaN otherwise */
    LR_METRIC_USERS = 8,     /**< number of users evaluated */
    /** Recall\@k restricted to cold held-out artists, those with no listener
     *  in the training side: per user, hits among them / their number;
     *  averaged over the users with at least one (NaN, also per user,
     *  where there is none).  Since: 1.2. */
    LR_METRIC_COLD_RECALL = 9,
    LR_METRIC_COLD_USERS = 10, /**< users with a cold held-out artist (no per-user value).  Since: 1.2. */
    LR_METRIC_COLD_PAIRS = 11  /**< held-out (user, artist) pairs of cold artists (no per-user value).  Since: 1.2. */
};

/**
 * Evaluate a fitted model: for every user with a held-out artist in
 * @p test, score every artist of the catalogue, drop the user's artists in
 * @p train, take the top k (equal scores by the lower artist ID) and compare
 * with the held-out artists.  LR_OPT_THREADS applies.  A user's scores
 * and top k are bit for bit lr_query_recommend_user()'s, whichever users
 * are evaluated along with them and on any number of threads.
 * @param train,test borrowed for the call; same catalogue as the model.
 * @param[out] out owned by the caller, freed by lr_evaluation_free().
 * @return LR_OK, LR_E_INVALID (unfitted model, k < 1, catalogue mismatch),
 *         LR_E_NOMEM, LR_E_CANCELLED.
 * Thread-safety: @p m, @p train, @p test may be shared read-only.
 */
LR_API int lr_evaluate(lr_evaluation **out, const lr_model *m,
                       const lr_dataset *train, const lr_dataset *test, int k,
                       const lr_options *opts);

/**
 * One averaged metric.
 * @return the value; NaN for a metric that does not apply or NULL.
 * Thread-safety: @p e may be shared read-only.
 */
LR_API double lr_evaluation_metric(const lr_evaluation *e, int metric);

/**
 * Per-user values of a metric, in the order of lr_evaluation_users(): a
 * complete list (all or nothing).
 * @param[out] needed the number of evaluated users (may be NULL).
 * @return LR_OK, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID.
 * Thread-safety: @p e may be shared read-only.
 */
LR_API int lr_evaluation_user_metric(const lr_evaluation *e, int metric,
                                     double *out, size_t capacity,
                                     size_t *needed);

/**
 * The IDs of the evaluated users, ascending: a complete list (all or
 * nothing).
 * @param[out] needed the number of evaluated users (may be NULL).
 * @return LR_OK, LR_E_BUFSIZE when @p capacity < *needed (nothing written), LR_E_INVALID.
 * Thread-safety: @p e may be shared read-only.
 */
LR_API int lr_evaluation_users(const lr_evaluation *e, int32_t *out,
                               size_t capacity, size_t *needed);

/** Free an evaluation.  NULL is accepted. */
LR_API void lr_evaluation_free(lr_evaluation *e);

/* ------------------------------------------------- maps of artist vectors */

/*
 * What a model's artist vectors say (docs/embed.md): their norms against
 * the artists' popularity, and maps of them (PCA, t-SNE).  These read a
 * fitted or loaded model with artist vectors: mf, als, bpr, blend (its als
 * part's, when blend_weight > 0) and softmax.  Since: 1.3 (LASTREC_1.3).
 */

/**
 * Each artist's vector norm (Euclidean, summed in double), fan count and
 * listen count in the model's training data, in the order of
 * lr_model_ids(LR_IDS_ARTISTS): a complete list (all or nothing).  Any
 * output may be NULL and is then skipped.  Artists without training
 * listens are listed too (als leaves their vectors at 0).
 * @param[out] needed the number of artists (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing
 *         written); LR_E_INVALID (NULL or unfitted model, a model without
 *         artist vectors or with a non-finite one: the message says which);
 *         LR_E_NOMEM.
 * Thread-safety: @p m may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_model_artist_norms(const lr_model *m, double *norms, int64_t *fans,
                                 double *listens, size_t capacity, size_t *needed);

/** Statistics of lr_model_norm_stat().  Since: 1.3. */
enum lr_norm_stat {
    LR_NORMS_PEARSON = 1,        /**< Pearson's r of norm and log(1 + fans) over the artists used */
    LR_NORMS_SPEARMAN = 2,       /**< Spearman's rho of norm and fans (average ranks for ties) */
    LR_NORMS_USED = 3,           /**< artists used: a training listener and a non-zero vector */
    LR_NORMS_ZERO = 4,           /**< artists whose vector is exactly zero (left out) */
    LR_NORMS_ZERO_LISTENED = 5   /**< of those, artists with a training listener */
};

/**
 * How the artist vectors' norms follow popularity: a statistic of enum
 * lr_norm_stat over the artists with at least one training listener and a
 * vector that is not exactly zero (a zero vector is one the model never
 * moved, not a short one: docs/embed.md).  A correlation is NaN when fewer
 * than 2 artists are used or one side is constant.  Each call computes
 * the statistics afresh (a sort of the artists).
 * @param[out] value the statistic (counts are exact).
 * @return LR_OK; LR_E_INVALID (as lr_model_artist_norms(), an unknown
 *         statistic); LR_E_NOMEM.
 * Thread-safety: @p m may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_model_norm_stat(const lr_model *m, int which, double *value);

/**
 * The name of an artist of a model.
 * @return a borrowed UTF-8 string valid while @p m lives, or NULL for an
 *         unknown ID or an unfitted or NULL model.
 * Thread-safety: @p m may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API const char *lr_model_artist_name(const lr_model *m, int32_t artist_id);

/**
 * The top tag (the most used, CamelCase) of an artist of a model.
 * @return a borrowed string valid while @p m lives, "" when the artist has
 *         no tag, NULL for an unknown ID or an unfitted or NULL model.
 * Thread-safety: @p m may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API const char *lr_model_artist_top_tag(const lr_model *m, int32_t artist_id);

/** A map of artist vectors: PCA or t-SNE coordinates with their figures. */
typedef struct lr_map lr_map;

/**
 * Principal components of the artist vectors: the vectors are centred,
 * their covariance eigen-decomposed in double (LAPACK), and each projected
 * on the @p components leading eigenvectors, each signed so that its
 * largest loading is positive.  The artists mapped are those with at
 * least LR_OPT_MAP_MIN_FANS training listeners whose vector is not
 * exactly zero.
 * @param components 1 to the model's factors.
 * @param opts may be NULL; LR_OPT_MAP_MIN_FANS applies.
 * @param[out] out owned by the caller, freed by lr_map_free().
 * @return LR_OK; LR_E_INVALID (NULL, unfitted, no artist vectors, a
 *         non-finite vector, components out of range, fewer than 2 artists
 *         mapped: the message says which); LR_E_NOMEM; LR_E_NUMERIC (LAPACK
 *         failed).
 * Thread-safety: @p m may be shared read-only.  BLAS may use its threads.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_model_pca(lr_map **out, const lr_model *m, int components,
                        const lr_options *opts);

/**
 * A 2-D t-SNE map of the artist vectors (van der Maaten & Hinton 2008, the
 * repulsion by FFT interpolation or Barnes-Hut, LR_OPT_TSNE_METHOD;
 * docs/embed.md): the artists of
 * LR_OPT_MAP_MIN_FANS with a non-zero vector, at distance
 * LR_OPT_TSNE_METRIC, affinities calibrated to LR_OPT_TSNE_PERPLEXITY,
 * started from the first two principal components (of the unit vectors
 * under the cosine) scaled to a standard deviation of 1e-4, then
 * LR_OPT_TSNE_ITERATIONS steps, the first
 * LR_OPT_TSNE_EXAGGERATION_ITERATIONS of them exaggerated.  The other
 * LR_OPT_TSNE_* options, LR_OPT_SEED and LR_OPT_THREADS apply.  Progress
 * is reported every 50 iterations with stage "tsne kl=<the current KL
 * divergence>", done the iterations run and total LR_OPT_TSNE_ITERATIONS;
 * returning non-zero cancels.  The same model and options give the same
 * map bit for bit on any number of threads.
 * @param opts may be NULL for the defaults.
 * @param[out] out owned by the caller, freed by lr_map_free().
 * @return LR_OK; LR_E_INVALID (NULL, unfitted, no artist vectors, a
 *         non-finite vector, fewer than 4 artists mapped, a perplexity of
 *         (artists - 1) / 3 or more, exaggerated iterations above all
 *         iterations, vectors of one dimension: the message says which);
 *         LR_E_NOMEM; LR_E_CANCELLED.
 * Thread-safety: @p m may be shared read-only; runs LR_OPT_THREADS
 *         threads of its own.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_model_tsne(lr_map **out, const lr_model *m, const lr_options *opts);

/** Free a map.  NULL is accepted. */
LR_API void lr_map_free(lr_map *map);

/** Figures of lr_map_stat().  Since: 1.3. */
enum lr_map_stat {
    LR_MAP_ROWS = 1,            /**< artists mapped */
    LR_MAP_DIMS = 2,            /**< coordinates per artist (components; 2 for t-SNE) */
    LR_MAP_KL = 3,              /**< t-SNE: the final KL divergence of the map (docs/embed.md) */
    LR_MAP_NN_PRESERVATION = 4, /**< t-SNE: mean share of each artist's 10 nearest vectors
                                     among its 10 nearest on the map */
    LR_MAP_ITERATIONS = 5,      /**< t-SNE: iterations run */
    LR_MAP_TOTAL_VARIANCE = 6   /**< PCA: the vectors' total variance (the covariance's trace) */
};

/**
 * A figure of a map (enum lr_map_stat).
 * @return the value; NaN for a figure the map's kind has not, an unknown
 *         one, or a NULL map.
 * Thread-safety: @p map may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API double lr_map_stat(const lr_map *map, int which);

/**
 * The IDs of the artists mapped, ascending: the rows of lr_map_coords().
 * A complete list (all or nothing).
 * @param[out] needed the number of artists mapped (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing
 *         written); LR_E_INVALID.
 * Thread-safety: @p map may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_map_ids(const lr_map *map, int32_t *ids, size_t capacity, size_t *needed);

/**
 * The coordinates, rows x dims, row-major, rows in lr_map_ids() order.  A
 * complete list (all or nothing).
 * @param[out] needed rows x dims (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing
 *         written); LR_E_INVALID.
 * Thread-safety: @p map may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_map_coords(const lr_map *map, double *coords, size_t capacity, size_t *needed);

/**
 * A PCA map's variance per component, largest first, and the share of
 * the total variance each explains (either may be NULL).  A complete list
 * (all or nothing).
 * @param[out] needed the number of components (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing
 *         written); LR_E_UNSUPPORTED for a t-SNE map; LR_E_INVALID.
 * Thread-safety: @p map may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_map_variance(const lr_map *map, double *variance, double *explained,
                           size_t capacity, size_t *needed);

/* ----------------------------------------------------------------- queries */

/**
 * A query: one thread's scratch space and settings for asking a fitted
 * model for recommendations and similar artists.  It borrows the model,
 * which must outlive it and stays unchanged: any number of queries (one
 * per thread) may share one model.
 */
typedef struct lr_query lr_query;

/** How scores compare vectors (LR_QUERY_MEASURE). */
enum lr_measure {
    LR_MEASURE_DOT = 1,   /**< the model's own score: dot product (plus any artist bias) */
    LR_MEASURE_COSINE = 2 /**< cosine of the embeddings (bias left out); factor models only */
};

/**
 * Settings of a query for lr_query_set_int() / lr_query_get_int().
 * Numbers never change.
 */
enum lr_query_key {
    LR_QUERY_K = 1,                 /**< results per query, 1 to 10000 (default 10) */
    LR_QUERY_MEASURE = 2,           /**< an lr_measure (default LR_MEASURE_DOT) */
    LR_QUERY_EXCLUDE_LISTENED = 3,  /**< 1 leaves out the user's own artists, or the
                                         preferences (default 1); 0 keeps them */
    LR_QUERY_EXPLAIN = 4            /**< explanation artists per result, 0 to 50 (default 3) */
};

/** Artist filters for lr_query_set_filter(). */
enum lr_filter_mode {
    LR_FILTER_NONE = 0,  /**< every artist may be recommended */
    LR_FILTER_ALLOW = 1, /**< only the listed artists */
    LR_FILTER_DENY = 2   /**< every artist but the listed ones */
};

/**
 * Create a query over a fitted model with the default settings.  Its
 * scratch space (scores, fan counts, norms, the fold-in system, room for
 * every artist as a preference) is allocated here, so the queries
 * themselves allocate nothing; settings, name lookups and
 * lr_query_recommend_all() do.
 * @param m borrowed: it must outlive the query and must not be changed
 *        (it cannot be: a fitted model is read-only).
 * @param[out] out owned by the caller, freed by lr_query_free().
 * @return LR_OK, LR_E_INVALID (NULL argument or unfitted model), LR_E_NOMEM.
 * Thread-safety: @p m may be shared read-only; the query belongs to one
 *         thread at a time.
 */
LR_API int lr_query_new(lr_query **out, const lr_model *m);

/**
 * Free a query, its preferences and its results.  The model is untouched.
 * NULL is accepted.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API void lr_query_free(lr_query *q);

/**
 * Change a setting (enum lr_query_key).  It applies to the queries that
 * follow; the current results are dropped (lr_query_result_count() is 0).
 * @return LR_OK; LR_E_INVALID for an unknown key or a value out of range
 *         (the message names the key and the range); LR_E_UNSUPPORTED for
 *         LR_MEASURE_COSINE on a model without embeddings (pop, ease, blend
 *         without its als part).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_set_int(lr_query *q, int key, int64_t value);

/**
 * Read a setting.
 * @return LR_OK; LR_E_INVALID for an unknown key or NULL.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_get_int(const lr_query *q, int key, int64_t *value);

/**
 * Restrict the artists queries may return: only @p artist_ids
 * (LR_FILTER_ALLOW), all but them (LR_FILTER_DENY), or every artist
 * (LR_FILTER_NONE, which ignores the list).  The list is copied and
 * replaces any earlier one; it combines with lr_query_set_tag().
 * @return LR_OK; LR_E_INVALID (unknown mode, NULL list with n > 0);
 *         LR_E_NOTFOUND naming an ID the model does not know (nothing is
 *         changed); LR_E_NOMEM.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_set_filter(lr_query *q, int mode, const int32_t *artist_ids,
                               size_t n);

/**
 * Only return artists carrying @p tag: as their top tag or among their five
 * most used tags.  Case, spaces, hyphens and underscores are ignored
 * ("hip hop" finds "HipHop").  NULL or "" removes the tag filter.
 * @return LR_OK; LR_E_NOTFOUND when no artist of the model has the tag
 *         (the filter is then unchanged); LR_E_INVALID; LR_E_NOMEM.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_set_tag(lr_query *q, const char *tag);

/**
 * Resolve an artist name with the search of lr_dataset_find_artist() (case
 * and accents ignored) over the names the model carries: an exact match
 * wins (the one with the most fans if several spell the same); otherwise a
 * single candidate is taken.  The candidates, best first, are kept for
 * lr_query_candidates().
 * @param[out] artist_id the artist's ID.
 * @return LR_OK; LR_E_NOTFOUND (no name contains @p name); LR_E_AMBIGUOUS
 *         (several candidates and none exact: the message names the first
 *         few); LR_E_INVALID; LR_E_NOMEM.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_find_artist(lr_query *q, const char *name, int32_t *artist_id);

/**
 * The candidates of the last name lookup on @p q (lr_query_find_artist(),
 * lr_query_add_preference_name(), lr_query_similar_name()), best first:
 * exact matches, then names starting with the text, then by fans, then ID.
 * A ranked list: the best @p capacity are written and the rest left out.
 * @param[out] artist_ids the first @p capacity candidates (may be NULL when
 *             capacity is 0).
 * @param[out] needed the number of all candidates, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_INVALID.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_candidates(const lr_query *q, int32_t *artist_ids, size_t capacity,
                               size_t *needed);

/**
 * The name of an artist of the query's model.
 * @return a borrowed UTF-8 string valid while the model lives, or NULL for
 *         an unknown ID or a NULL query.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API const char *lr_query_artist_name(const lr_query *q, int32_t artist_id);

/**
 * Add a preference: the new listener played @p artist_id @p listens times.
 * Adding an artist again replaces its count.  Preferences live in the
 * query only; the model never changes.
 * @return LR_OK; LR_E_NOTFOUND (unknown artist); LR_E_RANGE (@p listens
 *         not a finite number above 0); LR_E_INVALID.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_add_preference(lr_query *q, int32_t artist_id, double listens);

/**
 * Add a preference by name, resolved as lr_query_find_artist() does.
 * @param[out] artist_id the resolved artist (may be NULL).
 * @return as lr_query_find_artist() and lr_query_add_preference(); on
 *         failure no preference is added.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_add_preference_name(lr_query *q, const char *name, double listens,
                                        int32_t *artist_id);

/**
 * Forget every preference ("remove my preferences").  NULL is accepted.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API void lr_query_clear_preferences(lr_query *q);

/**
 * The current preferences, by artist ID ascending, with their listen
 * counts: a complete list (all or nothing).  Either array may be NULL and
 * is then skipped.
 * @param[out] needed the number of preferences (may be NULL).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing written); LR_E_INVALID.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_preferences(const lr_query *q, int32_t *artist_ids, double *listens,
                                size_t capacity, size_t *needed);

/**
 * Recommend artists for a user of the model: the top k by the model's score
 * (or cosine), ties by the lower artist ID, leaving out the user's own
 * artists unless LR_QUERY_EXCLUDE_LISTENED is 0, and what the filters
 * exclude.  Results replace the previous ones.  The scores are the same
 * bits as the user's row of lr_query_recommend_all() and of lr_evaluate()
 * (docs/api.md, "Determinism").
 * @param[out] count the number of results, k or fewer (may be NULL).
 * @return LR_OK; LR_E_NOTFOUND (a user the model does not know);
 *         LR_E_NUMERIC (an explanation's system is not positive definite);
 *         LR_E_INVALID.
 * Thread-safety: needs exclusive access to @p q; @p q's model may be
 *         shared.
 */
LR_API int lr_query_recommend_user(lr_query *q, int32_t user_id, size_t *count);

/**
 * Recommend artists for a new listener described by the preferences, folded
 * into the model without retraining (docs/queries.md has the algebra):
 * als solves its least-squares problem for the user vector against the
 * fixed artist factors with the model's alpha, transform and
 * regularization; mf and bpr solve a ridge regression on the fixed artist
 * factors; ease scores with its item weights directly; blend adds als's
 * fold-in and its item part, each standardised; pop ranks by fans.
 * The preferred artists are left out unless LR_QUERY_EXCLUDE_LISTENED is 0.
 * @param[out] count the number of results (may be NULL).
 * @return LR_OK; LR_E_INVALID (no preferences, or NULL); LR_E_NUMERIC (the
 *         fold-in system is not positive definite: raise the model's
 *         regularization).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_recommend_preferences(lr_query *q, size_t *count);

/**
 * Artists similar to @p artist_id: the top k by dot product or cosine of the
 * artist embeddings (ease: the artist's item-item weights; blend: both,
 * each standardised, docs/queries.md), the artist
 * itself left out, the filters applied.  Results have no explanations.
 * @param[out] count the number of results (may be NULL).
 * @return LR_OK; LR_E_NOTFOUND (unknown artist); LR_E_UNSUPPORTED (pop
 *         models, or an artist an ease model left out for having too few
 *         listeners); LR_E_INVALID.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_similar(lr_query *q, int32_t artist_id, size_t *count);

/**
 * Artists similar to the best candidate for @p name (an exact match, else
 * the first of lr_query_candidates(): "Kanye" finds "Kanye West"); the
 * other candidates stay listed by lr_query_candidates().
 * @param[out] artist_id the artist the name was resolved to (may be NULL).
 * @param[out] count the number of results (may be NULL).
 * @return as lr_query_similar(); LR_E_NOTFOUND when no name matches.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_similar_name(lr_query *q, const char *name, int32_t *artist_id,
                                 size_t *count);

/**
 * The number of results of the last query on @p q (0 before any, or
 * after a failed one).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API size_t lr_query_result_count(const lr_query *q);

/**
 * One result of the last query, @p rank 0 the best.  Either out-parameter
 * may be NULL.
 * @return LR_OK; LR_E_INVALID (NULL query or rank >= the result count).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_result(const lr_query *q, size_t rank, int32_t *artist_id,
                           double *score);

/**
 * The name of the artist at @p rank.
 * @return a borrowed string valid while the model lives; NULL for a rank
 *         out of range.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API const char *lr_query_result_name(const lr_query *q, size_t rank);

/**
 * The top tag (the most used) of the artist at @p rank, in CamelCase.
 * @return a borrowed string valid while the model lives, "" when the
 *         artist has no tag; NULL for a rank out of range.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API const char *lr_query_result_top_tag(const lr_query *q, size_t rank);

/**
 * The fan count of the artist at @p rank: the listeners it had in the
 * model's training data.
 * @return the count, or -1 for a rank out of range.
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int64_t lr_query_result_fans(const lr_query *q, size_t rank);

/**
 * Up to five most used tags of the artist at @p rank with their use
 * counts, most used first (ties by tag ID).  @p tags receives borrowed
 * strings valid while the model lives; @p counts may be NULL.  A ranked
 * list: the @p capacity most used are written and the rest left out.
 * @param[out] needed the number of tags, 0 to 5, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_INVALID (rank out
 *         of range, NULL tags with capacity > 0).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_result_tags(const lr_query *q, size_t rank, const char **tags,
                                int64_t *counts, size_t capacity, size_t *needed);

/**
 * Why the artist at @p rank was recommended: the user's artists (or
 * preferences) that contributed most to its score, largest contribution
 * first, at most LR_QUERY_EXPLAIN of them and only positive ones.  A
 * contribution is the artist's share of the score in the fold-in
 * (docs/queries.md): als, mf and bpr decompose the user vector's solve
 * (Hu, Koren & Volinsky's explanation for als), blend adds its two parts'
 * shares, each on its standardised scale (they sum to the score up to a
 * constant per query), ease multiplies the
 * artist's item weight by the listen weight.  Similar-artist and pop
 * results have none.  @p contributions may be NULL.  A ranked list: the
 * @p capacity largest contributions are written and the rest left out.
 * @param[out] needed the number of explanation artists, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_INVALID (rank out
 *         of range, NULL ids with capacity > 0).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_result_explanation(const lr_query *q, size_t rank,
                                       int32_t *artist_ids, double *contributions,
                                       size_t capacity, size_t *needed);

/**
 * Which tags raised the score of the artist at @p rank, largest
 * contribution first, at most LR_QUERY_EXPLAIN of them and only positive
 * ones: for softmax models, whose user tower reads the tags of the user's
 * artists (or of the preferences).  A contribution is the tag's share of
 * the score by gradient x input through the tower (docs/models.md,
 * "softmax"): with the artists' shares of lr_query_result_explanation()
 * it adds up to the score less the part the tower's biases give (for the
 * cosine measure, each divided like the score).  Under softmax's
 * cold-artist mixture (LR_OPT_COLD_MIX) the score of a played artist is
 * its logit less one constant per query, and an artist nobody played is
 * ranked by a standardised sum of signals: its shares are the logit's,
 * scaled, plus its tag signal's (here, by tag) and its name signal's (in
 * lr_query_result_explanation(), by liked artist).  Tags whose names differ
 * only in case, spaces, hyphens or underscores count as one.  Other
 * models, softmax models loaded from a version 1 model file, and
 * similar-artist results have none (*needed is 0).  @p tags receives
 * borrowed strings valid while the model lives; @p contributions may be
 * NULL.  A ranked list: the @p capacity largest are written and the rest
 * left out.
 * @param[out] needed the number of explanation tags, which may exceed
 *             @p capacity (may be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_INVALID (rank out
 *         of range, NULL tags with capacity > 0).
 * Thread-safety: needs exclusive access to @p q.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_query_result_tag_explanation(const lr_query *q, size_t rank, const char **tags,
                                           double *contributions, size_t capacity,
                                           size_t *needed);

/**
 * Every result of the last query in one call: what lr_query_result() and
 * lr_query_result_explanation() give rank by rank, for callers that pay
 * for each call (language bindings).  For r below the result count and
 * @p capacity: @p artist_ids[r] and @p scores[r]; @p explain_counts[r]
 * explanation artists (at most @p per_result, the largest contributions)
 * in @p explain_ids[r * per_result ...] with their @p contributions.  Any
 * output may be NULL and is then skipped; @p explain_ids and
 * @p contributions hold capacity x per_result entries.  A ranked list: the
 * @p capacity best results (and each one's @p per_result largest
 * contributions) are written and the rest left out.
 * @param[out] needed the result count, which may exceed @p capacity (may
 *         be NULL).
 * @return LR_OK, also when @p capacity < *needed; LR_E_INVALID (NULL
 *         query, explain_ids or contributions without explain_counts).
 * Thread-safety: needs exclusive access to @p q.
 */
LR_API int lr_query_results(const lr_query *q, int32_t *artist_ids, double *scores,
                            size_t *explain_counts, int32_t *explain_ids,
                            double *contributions, size_t per_result, size_t capacity,
                            size_t *needed);

/**
 * Top-k artists for every user of the model at once, with the query's
 * settings (k, measure, exclusion, filters; no explanations): blocks of
 * users are scored together and reduced by partial selection, ties by the
 * lower artist ID; every row is bit for bit what
 * lr_query_recommend_user() returns for that user, whatever the block and
 * the thread count (docs/api.md, "Determinism").  Row i of the outputs belongs to the
 * i-th user of lr_model_ids(LR_IDS_USERS); a row with fewer than k
 * results is padded with artist ID -1 and score NaN.  The query's results
 * are left as they were.
 * @param opts may be NULL; LR_OPT_THREADS applies (0 = all cores), and
 *        its progress callback (lr_options_set_progress()) hears stage
 *        "recommend all users", users done of all, after each block of
 *        users, from any worker thread, and may cancel.
 * @param[out] artist_ids users x k IDs, row-major.
 * @param[out] scores users x k scores, or NULL.
 * @param[out] needed users x k (may be NULL).  A complete list (all or
 *        nothing).
 * @return LR_OK; LR_E_BUFSIZE when @p capacity < *needed (nothing written);
 *         LR_E_INVALID; LR_E_NOMEM; LR_E_CANCELLED (the outputs are then
 *         partly written).
 * Thread-safety: needs exclusive access to @p q; runs LR_OPT_THREADS
 *         threads of its own.
 */
LR_API int lr_query_recommend_all(lr_query *q, const lr_options *opts, int32_t *artist_ids,
                                  float *scores, size_t capacity, size_t *needed);

/* ------------------------------------------------------------------ report */

/**
 * A report: one self-contained HTML page (docs/report.md) with the
 * notebook's pictures of a dataset, its split and fitted models: data,
 * distributions, tags, friends, models (metrics and training curves),
 * embeddings (artist norms, a map of the artists) and recommendations.
 * It borrows what it is given; nothing is computed until
 * lr_report_write().  Since: 1.3 (LASTREC_1.3).
 */
typedef struct lr_report lr_report;

/** Settings of a report for lr_report_set_int().  Since: 1.3. */
enum lr_report_key {
    LR_REPORT_USER = 1,     /**< the user whose recommendations section 7 shows, -1 = the lowest user ID (default -1) */
    LR_REPORT_MAP = 2,      /**< an lr_report_map: the map of the artists in section 6 (default LR_REPORT_MAP_TSNE) */
    LR_REPORT_MAP_TAGS = 3, /**< top tags coloured on the map, 1 to 10; the rest are grey (default 10) */
    LR_REPORT_K = 4         /**< cut-off k of the metrics and length of the recommendation tables, 1 to 100 (default 10) */
};

/** Maps of the artists for LR_REPORT_MAP.  Since: 1.3. */
enum lr_report_map {
    LR_REPORT_MAP_NONE = 0, /**< no map (the norms are still shown) */
    LR_REPORT_MAP_TSNE = 1, /**< t-SNE of the first model with artist vectors (the notebook's) */
    LR_REPORT_MAP_PCA = 2   /**< its first two principal components: quick, but crowded */
};

/**
 * Start a report on @p data.
 * @param data borrowed: it must outlive the report and stay unchanged.
 * @param opts may be NULL; copied.  LR_OPT_THREADS applies to the
 *        evaluation and the map, LR_OPT_SEED and the t-SNE options
 *        (LR_OPT_TSNE_*) to the map; its progress callback (borrowed, as
 *        lr_options_set_progress() says) hears each step, the map's
 *        iterations included, and may cancel.
 * @param[out] out owned by the caller, freed by lr_report_free().
 * @return LR_OK, LR_E_INVALID (NULL data or out), LR_E_NOMEM.
 * Thread-safety: @p data may be shared read-only.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_report_new(lr_report **out, const lr_dataset *data, const lr_options *opts);

/** Free a report (not what it borrows).  NULL is accepted.  Since: 1.3. */
LR_API void lr_report_free(lr_report *r);

/**
 * Change a setting (enum lr_report_key).
 * @return LR_OK; LR_E_INVALID for an unknown key or a value out of range
 *         (the message names the key and the range).
 * Thread-safety: needs exclusive access to @p r.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_report_set_int(lr_report *r, int key, int64_t value);

/**
 * The held-out listens the models are evaluated on (section 5): @p train
 * and @p test over the report's catalogue, as lr_dataset_split() or
 * lr_dataset_load_split() make them.  Without a split the report shows
 * training curves but no metrics.  A second call replaces the first.
 * @param train,test borrowed: they must outlive the report.
 * @param description how the split was made, shown in the page (may be
 *        NULL; copied).
 * @return LR_OK; LR_E_INVALID (NULL train or test, or either over other
 *         users or artists than the report's data); LR_E_NOMEM.
 * Thread-safety: needs exclusive access to @p r.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_report_set_split(lr_report *r, const lr_dataset *train, const lr_dataset *test,
                               const char *description);

/**
 * Add a fitted model, shown as @p label.  The first model added answers
 * section 7's queries; the first with artist vectors is mapped.
 * @param m borrowed: it must outlive the report.
 * @param label copied; NULL names the model by its algorithm.
 * @return LR_OK; LR_E_INVALID (NULL or unfitted model, a model over other
 *         users or artists than the report's data, the message saying
 *         how many of each; more than 16 models); LR_E_NOMEM.
 * Thread-safety: needs exclusive access to @p r; @p m may be shared.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_report_add_model(lr_report *r, const lr_model *m, const char *label);

/**
 * Compute every section and write the page to @p path: one HTML file with
 * its style, script and data inline, which loads nothing when opened.
 * It is written to a temporary name in the same directory and renamed,
 * so @p path is never half-written.
 * @param[out] bytes the page's size (may be NULL).
 * @return LR_OK; LR_E_INVALID (NULL argument); LR_E_IO (the file cannot
 *         be written: the message names it); LR_E_NOMEM; LR_E_CANCELLED
 *         (the progress callback asked to stop: nothing is written); a
 *         step's own status (the evaluation's, the map's), its message
 *         naming the step.
 * Thread-safety: needs exclusive access to @p r; what it borrows may be
 *         shared read-only.  Runs LR_OPT_THREADS threads of its own.
 * Since: 1.3 (LASTREC_1.3).
 */
LR_API int lr_report_write(lr_report *r, const char *path, size_t *bytes);

#ifdef __cplusplus
}
#endif

#endif /* LASTREC_H */
