/* Every public enum value, pinned: enums cross the ABI as int, so
 * abidiff cannot see a renumbering, and a compiled program keeps the old
 * number.  Compiling this file is the test.  Values are only ever added
 * (tests/abi/pin_enums.py add, run by scripts/abi-baseline), never edited.
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

int main(void) { return 0; }

/* enum lr_status */
_Static_assert(LR_OK == 0, "LR_OK changed");
_Static_assert(LR_E_INVALID == -1, "LR_E_INVALID changed");
_Static_assert(LR_E_NOMEM == -2, "LR_E_NOMEM changed");
_Static_assert(LR_E_IO == -3, "LR_E_IO changed");
_Static_assert(LR_E_NOTFOUND == -4, "LR_E_NOTFOUND changed");
_Static_assert(LR_E_PARSE == -5, "LR_E_PARSE changed");
_Static_assert(LR_E_RANGE == -6, "LR_E_RANGE changed");
_Static_assert(LR_E_DUPLICATE == -7, "LR_E_DUPLICATE changed");
_Static_assert(LR_E_ENCODING == -8, "LR_E_ENCODING changed");
_Static_assert(LR_E_TOOLONG == -9, "LR_E_TOOLONG changed");
_Static_assert(LR_E_FORMAT == -10, "LR_E_FORMAT changed");
_Static_assert(LR_E_CANCELLED == -11, "LR_E_CANCELLED changed");
_Static_assert(LR_E_NUMERIC == -12, "LR_E_NUMERIC changed");
_Static_assert(LR_E_UNSUPPORTED == -13, "LR_E_UNSUPPORTED changed");
_Static_assert(LR_E_BUFSIZE == -14, "LR_E_BUFSIZE changed");
_Static_assert(LR_E_EMPTY == -15, "LR_E_EMPTY changed");
_Static_assert(LR_E_HEADER == -16, "LR_E_HEADER changed");
_Static_assert(LR_E_AMBIGUOUS == -17, "LR_E_AMBIGUOUS changed");

/* enum lr_log_level */
_Static_assert(LR_LOG_ERROR == 0, "LR_LOG_ERROR changed");
_Static_assert(LR_LOG_WARNING == 1, "LR_LOG_WARNING changed");
_Static_assert(LR_LOG_INFO == 2, "LR_LOG_INFO changed");
_Static_assert(LR_LOG_DEBUG == 3, "LR_LOG_DEBUG changed");

/* enum lr_option_type */
_Static_assert(LR_OPTTYPE_INT == 1, "LR_OPTTYPE_INT changed");
_Static_assert(LR_OPTTYPE_DOUBLE == 2, "LR_OPTTYPE_DOUBLE changed");

/* enum lr_option */
_Static_assert(LR_OPT_THREADS == 100, "LR_OPT_THREADS changed");
_Static_assert(LR_OPT_SEED == 101, "LR_OPT_SEED changed");
_Static_assert(LR_OPT_MIN_TAG_USES == 200, "LR_OPT_MIN_TAG_USES changed");
_Static_assert(LR_OPT_MAX_LINE == 201, "LR_OPT_MAX_LINE changed");
_Static_assert(LR_OPT_HOLDOUT_FRACTION == 300, "LR_OPT_HOLDOUT_FRACTION changed");
_Static_assert(LR_OPT_SYNTH_USERS == 400, "LR_OPT_SYNTH_USERS changed");
_Static_assert(LR_OPT_SYNTH_ARTISTS == 401, "LR_OPT_SYNTH_ARTISTS changed");
_Static_assert(LR_OPT_SYNTH_CLUSTERS == 402, "LR_OPT_SYNTH_CLUSTERS changed");
_Static_assert(LR_OPT_SYNTH_TAGS == 403, "LR_OPT_SYNTH_TAGS changed");
_Static_assert(LR_OPT_SYNTH_ARTISTS_PER_USER == 404, "LR_OPT_SYNTH_ARTISTS_PER_USER changed");
_Static_assert(LR_OPT_SYNTH_FRIENDS_PER_USER == 405, "LR_OPT_SYNTH_FRIENDS_PER_USER changed");
_Static_assert(LR_OPT_FACTORS == 500, "LR_OPT_FACTORS changed");
_Static_assert(LR_OPT_EPOCHS == 501, "LR_OPT_EPOCHS changed");
_Static_assert(LR_OPT_LEARNING_RATE == 502, "LR_OPT_LEARNING_RATE changed");
_Static_assert(LR_OPT_OPTIMIZER == 503, "LR_OPT_OPTIMIZER changed");
_Static_assert(LR_OPT_REGULARIZATION == 504, "LR_OPT_REGULARIZATION changed");
_Static_assert(LR_OPT_GRAVITY == 505, "LR_OPT_GRAVITY changed");
_Static_assert(LR_OPT_INIT_SCALE == 506, "LR_OPT_INIT_SCALE changed");
_Static_assert(LR_OPT_TRANSFORM == 507, "LR_OPT_TRANSFORM changed");
_Static_assert(LR_OPT_ALPHA == 508, "LR_OPT_ALPHA changed");
_Static_assert(LR_OPT_NEGATIVES == 509, "LR_OPT_NEGATIVES changed");
_Static_assert(LR_OPT_BATCH_SIZE == 510, "LR_OPT_BATCH_SIZE changed");
_Static_assert(LR_OPT_SOLVER == 511, "LR_OPT_SOLVER changed");
_Static_assert(LR_OPT_CG_STEPS == 512, "LR_OPT_CG_STEPS changed");
_Static_assert(LR_OPT_BM25_K1 == 513, "LR_OPT_BM25_K1 changed");
_Static_assert(LR_OPT_BM25_B == 514, "LR_OPT_BM25_B changed");
_Static_assert(LR_OPT_MIN_LISTENERS == 515, "LR_OPT_MIN_LISTENERS changed");
_Static_assert(LR_OPT_ITEM_BIAS == 516, "LR_OPT_ITEM_BIAS changed");
_Static_assert(LR_OPT_EPSILON == 517, "LR_OPT_EPSILON changed");
_Static_assert(LR_OPT_EVAL_K == 518, "LR_OPT_EVAL_K changed");
_Static_assert(LR_OPT_ITEM_REGULARIZATION == 519, "LR_OPT_ITEM_REGULARIZATION changed");
_Static_assert(LR_OPT_DROPOUT == 520, "LR_OPT_DROPOUT changed");
_Static_assert(LR_OPT_CALIBRATION == 521, "LR_OPT_CALIBRATION changed");
_Static_assert(LR_OPT_RANK_SPREAD == 522, "LR_OPT_RANK_SPREAD changed");
_Static_assert(LR_OPT_BLEND_WEIGHT == 523, "LR_OPT_BLEND_WEIGHT changed");
_Static_assert(LR_OPT_HIDDEN_LAYERS == 524, "LR_OPT_HIDDEN_LAYERS changed");
_Static_assert(LR_OPT_HIDDEN_WIDTH == 525, "LR_OPT_HIDDEN_WIDTH changed");
_Static_assert(LR_OPT_TAG_DIM == 526, "LR_OPT_TAG_DIM changed");
_Static_assert(LR_OPT_LABEL_FRACTION == 527, "LR_OPT_LABEL_FRACTION changed");
_Static_assert(LR_OPT_ITEM_TAGS == 528, "LR_OPT_ITEM_TAGS changed");
_Static_assert(LR_OPT_AVERAGING == 530, "LR_OPT_AVERAGING changed");
_Static_assert(LR_OPT_COLD_BOOST == 531, "LR_OPT_COLD_BOOST changed");

/* enum lr_optimizer */
_Static_assert(LR_OPTIMIZER_SGD == 1, "LR_OPTIMIZER_SGD changed");
_Static_assert(LR_OPTIMIZER_ADAGRAD == 2, "LR_OPTIMIZER_ADAGRAD changed");
_Static_assert(LR_OPTIMIZER_ADAM == 3, "LR_OPTIMIZER_ADAM changed");

/* enum lr_transform */
_Static_assert(LR_TRANSFORM_RAW == 0, "LR_TRANSFORM_RAW changed");
_Static_assert(LR_TRANSFORM_LOG1P == 1, "LR_TRANSFORM_LOG1P changed");
_Static_assert(LR_TRANSFORM_BINARY == 2, "LR_TRANSFORM_BINARY changed");
_Static_assert(LR_TRANSFORM_BM25 == 3, "LR_TRANSFORM_BM25 changed");

/* enum lr_solver */
_Static_assert(LR_SOLVER_CHOLESKY == 1, "LR_SOLVER_CHOLESKY changed");
_Static_assert(LR_SOLVER_CG == 2, "LR_SOLVER_CG changed");

/* enum lr_source_kind */
_Static_assert(LR_SOURCE_HETREC == 1, "LR_SOURCE_HETREC changed");
_Static_assert(LR_SOURCE_LISTENS == 2, "LR_SOURCE_LISTENS changed");
_Static_assert(LR_SOURCE_SNAPSHOT == 3, "LR_SOURCE_SNAPSHOT changed");
_Static_assert(LR_SOURCE_SYNTHETIC == 4, "LR_SOURCE_SYNTHETIC changed");
_Static_assert(LR_SOURCE_SPLIT == 5, "LR_SOURCE_SPLIT changed");

/* enum lr_count */
_Static_assert(LR_COUNT_SOURCE_KIND == 0, "LR_COUNT_SOURCE_KIND changed");
_Static_assert(LR_COUNT_USERS == 1, "LR_COUNT_USERS changed");
_Static_assert(LR_COUNT_ARTISTS == 2, "LR_COUNT_ARTISTS changed");
_Static_assert(LR_COUNT_LISTENS == 3, "LR_COUNT_LISTENS changed");
_Static_assert(LR_COUNT_TAGS == 4, "LR_COUNT_TAGS changed");
_Static_assert(LR_COUNT_TAGS_IN_FILE == 5, "LR_COUNT_TAGS_IN_FILE changed");
_Static_assert(LR_COUNT_TAGS_DROPPED == 6, "LR_COUNT_TAGS_DROPPED changed");
_Static_assert(LR_COUNT_TAG_USES == 7, "LR_COUNT_TAG_USES changed");
_Static_assert(LR_COUNT_TAG_USES_IN_FILE == 8, "LR_COUNT_TAG_USES_IN_FILE changed");
_Static_assert(LR_COUNT_TAG_USES_UNLISTENED == 9, "LR_COUNT_TAG_USES_UNLISTENED changed");
_Static_assert(LR_COUNT_ARTISTS_UNLISTENED == 10, "LR_COUNT_ARTISTS_UNLISTENED changed");
_Static_assert(LR_COUNT_TAG_USES_RARE == 11, "LR_COUNT_TAG_USES_RARE changed");
_Static_assert(LR_COUNT_FRIEND_ROWS == 12, "LR_COUNT_FRIEND_ROWS changed");
_Static_assert(LR_COUNT_FRIEND_PAIRS == 13, "LR_COUNT_FRIEND_PAIRS changed");
_Static_assert(LR_COUNT_LATIN1_FIXES == 14, "LR_COUNT_LATIN1_FIXES changed");
_Static_assert(LR_COUNT_TIMESTAMPS_MERGED == 15, "LR_COUNT_TIMESTAMPS_MERGED changed");
_Static_assert(LR_COUNT_MIN_TAG_USES == 16, "LR_COUNT_MIN_TAG_USES changed");
_Static_assert(LR_COUNT_FRIEND_ROWS_ONE_WAY == 17, "LR_COUNT_FRIEND_ROWS_ONE_WAY changed");
_Static_assert(LR_COUNT_TAG_USES_HELD_OUT == 18, "LR_COUNT_TAG_USES_HELD_OUT changed");

/* enum lr_id_kind */
_Static_assert(LR_IDS_USERS == 1, "LR_IDS_USERS changed");
_Static_assert(LR_IDS_ARTISTS == 2, "LR_IDS_ARTISTS changed");
_Static_assert(LR_IDS_TAGS == 3, "LR_IDS_TAGS changed");

/* enum lr_stat */
_Static_assert(LR_STAT_TOTAL_LISTENS == 1, "LR_STAT_TOTAL_LISTENS changed");
_Static_assert(LR_STAT_MEAN_LISTENS == 2, "LR_STAT_MEAN_LISTENS changed");
_Static_assert(LR_STAT_COUNT == 3, "LR_STAT_COUNT changed");
_Static_assert(LR_STAT_TOP_TAG == 4, "LR_STAT_TOP_TAG changed");
_Static_assert(LR_STAT_TAG_USES == 5, "LR_STAT_TAG_USES changed");
_Static_assert(LR_STAT_FRIENDS == 6, "LR_STAT_FRIENDS changed");

/* enum lr_overlap */
_Static_assert(LR_OVERLAP_SHARED == 1, "LR_OVERLAP_SHARED changed");
_Static_assert(LR_OVERLAP_JACCARD == 2, "LR_OVERLAP_JACCARD changed");
_Static_assert(LR_OVERLAP_COSINE == 3, "LR_OVERLAP_COSINE changed");

/* enum lr_distribution */
_Static_assert(LR_DIST_USER_LISTENS == 1, "LR_DIST_USER_LISTENS changed");
_Static_assert(LR_DIST_ARTIST_LISTENS == 2, "LR_DIST_ARTIST_LISTENS changed");
_Static_assert(LR_DIST_USER_ARTISTS == 3, "LR_DIST_USER_ARTISTS changed");
_Static_assert(LR_DIST_ARTIST_FANS == 4, "LR_DIST_ARTIST_FANS changed");
_Static_assert(LR_DIST_USER_TAGGED_ARTISTS == 5, "LR_DIST_USER_TAGGED_ARTISTS changed");
_Static_assert(LR_DIST_TAG_SESSIONS == 6, "LR_DIST_TAG_SESSIONS changed");
_Static_assert(LR_DIST_TAGS_PER_USER_ARTIST == 7, "LR_DIST_TAGS_PER_USER_ARTIST changed");
_Static_assert(LR_DIST_FRIEND_JACCARD == 8, "LR_DIST_FRIEND_JACCARD changed");
_Static_assert(LR_DIST_RANDOM_JACCARD == 9, "LR_DIST_RANDOM_JACCARD changed");
_Static_assert(LR_DIST_FRIEND_COSINE == 10, "LR_DIST_FRIEND_COSINE changed");
_Static_assert(LR_DIST_RANDOM_COSINE == 11, "LR_DIST_RANDOM_COSINE changed");
_Static_assert(LR_DIST_FRIEND_SHARED == 12, "LR_DIST_FRIEND_SHARED changed");
_Static_assert(LR_DIST_RANDOM_SHARED == 13, "LR_DIST_RANDOM_SHARED changed");
_Static_assert(LR_DIST_TAG_USES == 14, "LR_DIST_TAG_USES changed");
_Static_assert(LR_DIST_USER_TAG_REPEATS == 15, "LR_DIST_USER_TAG_REPEATS changed");

/* enum lr_split_method */
_Static_assert(LR_SPLIT_PER_USER == 1, "LR_SPLIT_PER_USER changed");
_Static_assert(LR_SPLIT_RANDOM_PAIRS == 2, "LR_SPLIT_RANDOM_PAIRS changed");

/* enum lr_algorithm */
_Static_assert(LR_ALGO_POP == 1, "LR_ALGO_POP changed");
_Static_assert(LR_ALGO_MF == 2, "LR_ALGO_MF changed");
_Static_assert(LR_ALGO_ALS == 3, "LR_ALGO_ALS changed");
_Static_assert(LR_ALGO_BPR == 4, "LR_ALGO_BPR changed");
_Static_assert(LR_ALGO_EASE == 5, "LR_ALGO_EASE changed");
_Static_assert(LR_ALGO_BLEND == 6, "LR_ALGO_BLEND changed");
_Static_assert(LR_ALGO_SOFTMAX == 7, "LR_ALGO_SOFTMAX changed");

/* enum lr_embedding */
_Static_assert(LR_EMBEDDING_USERS == 1, "LR_EMBEDDING_USERS changed");
_Static_assert(LR_EMBEDDING_ARTISTS == 2, "LR_EMBEDDING_ARTISTS changed");

/* enum lr_history_field */
_Static_assert(LR_HISTORY_LOSS == 1, "LR_HISTORY_LOSS changed");
_Static_assert(LR_HISTORY_LOSS_OBSERVED == 2, "LR_HISTORY_LOSS_OBSERVED changed");
_Static_assert(LR_HISTORY_LOSS_L2 == 3, "LR_HISTORY_LOSS_L2 changed");
_Static_assert(LR_HISTORY_LOSS_GRAVITY == 4, "LR_HISTORY_LOSS_GRAVITY changed");
_Static_assert(LR_HISTORY_VAL_LOSS == 5, "LR_HISTORY_VAL_LOSS changed");
_Static_assert(LR_HISTORY_VAL_NDCG == 6, "LR_HISTORY_VAL_NDCG changed");
_Static_assert(LR_HISTORY_VAL_PRECISION == 7, "LR_HISTORY_VAL_PRECISION changed");
_Static_assert(LR_HISTORY_SECONDS == 8, "LR_HISTORY_SECONDS changed");

/* enum lr_metric */
_Static_assert(LR_METRIC_PRECISION == 1, "LR_METRIC_PRECISION changed");
_Static_assert(LR_METRIC_RECALL == 2, "LR_METRIC_RECALL changed");
_Static_assert(LR_METRIC_NDCG == 3, "LR_METRIC_NDCG changed");
_Static_assert(LR_METRIC_MAP == 4, "LR_METRIC_MAP changed");
_Static_assert(LR_METRIC_HITRATE == 5, "LR_METRIC_HITRATE changed");
_Static_assert(LR_METRIC_COVERAGE == 6, "LR_METRIC_COVERAGE changed");
_Static_assert(LR_METRIC_RMSE == 7, "LR_METRIC_RMSE changed");
_Static_assert(LR_METRIC_USERS == 8, "LR_METRIC_USERS changed");
_Static_assert(LR_METRIC_COLD_RECALL == 9, "LR_METRIC_COLD_RECALL changed");
_Static_assert(LR_METRIC_COLD_USERS == 10, "LR_METRIC_COLD_USERS changed");
_Static_assert(LR_METRIC_COLD_PAIRS == 11, "LR_METRIC_COLD_PAIRS changed");

/* enum lr_measure */
_Static_assert(LR_MEASURE_DOT == 1, "LR_MEASURE_DOT changed");
_Static_assert(LR_MEASURE_COSINE == 2, "LR_MEASURE_COSINE changed");

/* enum lr_query_key */
_Static_assert(LR_QUERY_K == 1, "LR_QUERY_K changed");
_Static_assert(LR_QUERY_MEASURE == 2, "LR_QUERY_MEASURE changed");
_Static_assert(LR_QUERY_EXCLUDE_LISTENED == 3, "LR_QUERY_EXCLUDE_LISTENED changed");
_Static_assert(LR_QUERY_EXPLAIN == 4, "LR_QUERY_EXPLAIN changed");

/* enum lr_filter_mode */
_Static_assert(LR_FILTER_NONE == 0, "LR_FILTER_NONE changed");
_Static_assert(LR_FILTER_ALLOW == 1, "LR_FILTER_ALLOW changed");
_Static_assert(LR_FILTER_DENY == 2, "LR_FILTER_DENY changed");

/* enum lr_option */
_Static_assert(LR_OPT_SAMPLED_NEGATIVES == 529, "LR_OPT_SAMPLED_NEGATIVES changed");
_Static_assert(LR_OPT_SOFTMAX_WEIGHT == 532, "LR_OPT_SOFTMAX_WEIGHT changed");
_Static_assert(LR_OPT_TSNE_PERPLEXITY == 600, "LR_OPT_TSNE_PERPLEXITY changed");
_Static_assert(LR_OPT_TSNE_METRIC == 601, "LR_OPT_TSNE_METRIC changed");
_Static_assert(LR_OPT_TSNE_EXAGGERATION == 602, "LR_OPT_TSNE_EXAGGERATION changed");
_Static_assert(LR_OPT_TSNE_EXAGGERATION_ITERATIONS == 603, "LR_OPT_TSNE_EXAGGERATION_ITERATIONS changed");
_Static_assert(LR_OPT_TSNE_ITERATIONS == 604, "LR_OPT_TSNE_ITERATIONS changed");
_Static_assert(LR_OPT_TSNE_LEARNING_RATE == 605, "LR_OPT_TSNE_LEARNING_RATE changed");
_Static_assert(LR_OPT_TSNE_THETA == 606, "LR_OPT_TSNE_THETA changed");
_Static_assert(LR_OPT_TSNE_KL_TOLERANCE == 607, "LR_OPT_TSNE_KL_TOLERANCE changed");
_Static_assert(LR_OPT_MAP_MIN_FANS == 608, "LR_OPT_MAP_MIN_FANS changed");

/* enum lr_distance */
_Static_assert(LR_DISTANCE_EUCLIDEAN == 1, "LR_DISTANCE_EUCLIDEAN changed");
_Static_assert(LR_DISTANCE_COSINE == 2, "LR_DISTANCE_COSINE changed");

/* enum lr_norm_stat */
_Static_assert(LR_NORMS_PEARSON == 1, "LR_NORMS_PEARSON changed");
_Static_assert(LR_NORMS_SPEARMAN == 2, "LR_NORMS_SPEARMAN changed");
_Static_assert(LR_NORMS_USED == 3, "LR_NORMS_USED changed");
_Static_assert(LR_NORMS_ZERO == 4, "LR_NORMS_ZERO changed");
_Static_assert(LR_NORMS_ZERO_LISTENED == 5, "LR_NORMS_ZERO_LISTENED changed");

/* enum lr_map_stat */
_Static_assert(LR_MAP_ROWS == 1, "LR_MAP_ROWS changed");
_Static_assert(LR_MAP_DIMS == 2, "LR_MAP_DIMS changed");
_Static_assert(LR_MAP_KL == 3, "LR_MAP_KL changed");
_Static_assert(LR_MAP_NN_PRESERVATION == 4, "LR_MAP_NN_PRESERVATION changed");
_Static_assert(LR_MAP_ITERATIONS == 5, "LR_MAP_ITERATIONS changed");
_Static_assert(LR_MAP_TOTAL_VARIANCE == 6, "LR_MAP_TOTAL_VARIANCE changed");

/* enum lr_report_key */
_Static_assert(LR_REPORT_USER == 1, "LR_REPORT_USER changed");
_Static_assert(LR_REPORT_MAP == 2, "LR_REPORT_MAP changed");
_Static_assert(LR_REPORT_MAP_TAGS == 3, "LR_REPORT_MAP_TAGS changed");
_Static_assert(LR_REPORT_K == 4, "LR_REPORT_K changed");

/* enum lr_report_map */
_Static_assert(LR_REPORT_MAP_NONE == 0, "LR_REPORT_MAP_NONE changed");
_Static_assert(LR_REPORT_MAP_TSNE == 1, "LR_REPORT_MAP_TSNE changed");
_Static_assert(LR_REPORT_MAP_PCA == 2, "LR_REPORT_MAP_PCA changed");

/* enum lr_option */
_Static_assert(LR_OPT_TOWER_SKIP == 533, "LR_OPT_TOWER_SKIP changed");
_Static_assert(LR_OPT_MASK_INPUT == 534, "LR_OPT_MASK_INPUT changed");

/* enum lr_source_kind */
_Static_assert(LR_SOURCE_BUILDER == 6, "LR_SOURCE_BUILDER changed");

/* enum lr_option */
_Static_assert(LR_OPT_TSNE_METHOD == 609, "LR_OPT_TSNE_METHOD changed");

/* enum lr_tsne_method */
_Static_assert(LR_TSNE_BARNES_HUT == 1, "LR_TSNE_BARNES_HUT changed");
_Static_assert(LR_TSNE_FFT == 2, "LR_TSNE_FFT changed");

/* enum lr_option */
_Static_assert(LR_OPT_EXPORT_FORMAT == 700, "LR_OPT_EXPORT_FORMAT changed");

/* enum lr_export_format */
_Static_assert(LR_EXPORT_NPY == 1, "LR_EXPORT_NPY changed");

/* enum lr_option */
_Static_assert(LR_OPT_SKIP_BAD_LINES == 202, "LR_OPT_SKIP_BAD_LINES changed");
_Static_assert(LR_OPT_SYNTH_BAD_LINES == 406, "LR_OPT_SYNTH_BAD_LINES changed");
_Static_assert(LR_OPT_SYNTH_QUIRKS == 407, "LR_OPT_SYNTH_QUIRKS changed");

/* enum lr_source_kind */
_Static_assert(LR_SOURCE_LASTFM360K == 7, "LR_SOURCE_LASTFM360K changed");

/* enum lr_count */
_Static_assert(LR_COUNT_ROWS_SUMMED == 19, "LR_COUNT_ROWS_SUMMED changed");
_Static_assert(LR_COUNT_SPELLINGS_MERGED == 20, "LR_COUNT_SPELLINGS_MERGED changed");
_Static_assert(LR_COUNT_BAD_LINES_SKIPPED == 21, "LR_COUNT_BAD_LINES_SKIPPED changed");
_Static_assert(LR_COUNT_PROFILES == 22, "LR_COUNT_PROFILES changed");

/* enum lr_option */
_Static_assert(LR_OPT_LABEL_SMOOTHING == 535, "LR_OPT_LABEL_SMOOTHING changed");

/* enum lr_option */
_Static_assert(LR_OPT_COLD_MIX == 536, "LR_OPT_COLD_MIX changed");
