/* liblastrec-mpi: implicit ALS over MPI.  SPDX-License-Identifier: MIT */
/**
 * @file lastrec_mpi.h
 * @brief ALS trained by several MPI processes into an ordinary lastrec
 * model file.
 *
 * A library of its own beside liblastrec (DESIGN.md, "Layers"): programs
 * that link liblastrec never need MPI.  liblastrec-mpi carries its own
 * copy of liblastrec's internals (so that every process runs the very row
 * solvers of lr_model_fit()) and exports only the lr_mpi_* symbols below;
 * no lastrec handle crosses between it and liblastrec, so a program may
 * link both.
 *
 * Link with `pkg-config --cflags --libs lastrec-mpi`.  The header includes
 * `<mpi.h>` (from C++ with Open MPI, define OMPI_SKIP_MPICXX to leave out
 * its deprecated C++ bindings, which do not compile warning-free).
 */
#ifndef LASTREC_MPI_H
#define LASTREC_MPI_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#if defined(LR_MPI_COMPILATION)
#define LR_MPI_API __attribute__((visibility("default")))
#else
#define LR_MPI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The interface version of liblastrec-mpi: 1. */
#define LR_MPI_VERSION 1

/**
 * Called on every process after each epoch with that process's figures,
 * and once before the first (epoch 0) when the process has read its shard
 * and prepared the fit.
 *
 * @param rank           the process's rank in the communicator
 * @param epoch          1, 2, ...; 0 for the preparation
 * @param seconds        wall time of the epoch on this process (epoch 0:
 *                       since lr_mpi_als_train() was called; the other
 *                       figures are 0 and the loss NaN)
 * @param exchange_seconds of which in MPI collectives (including waiting
 *                       for slower processes)
 * @param gram_seconds   of which computing the Gram matrices, which every
 *                       process does over all rows (so that they are the
 *                       same bits everywhere): work that more processes do
 *                       not divide
 * @param bytes_received factor bytes this process received in the epoch's
 *                       all-gathers: the rows it did not solve, k floats
 *                       each (what any all-gather algorithm must deliver)
 * @param bytes_sent     factor bytes of the rows this process solved, times
 *                       the number of other processes (what they must
 *                       receive from it, by whatever route)
 * @param loss           the training loss after the epoch (as
 *                       LR_HISTORY_LOSS), the same on every process
 * @param user_data      as given to lr_mpi_als_train()
 * @return 0 to go on; anything else stops the fit on every process with
 *         LR_E_CANCELLED (-11 in lastrec.h)
 *
 * Thread-safety: runs on the thread that called lr_mpi_als_train().
 */
typedef int (*lr_mpi_epoch_fn)(int rank, int epoch, double seconds, double exchange_seconds,
                               double gram_seconds, uint64_t bytes_received, uint64_t bytes_sent, double loss,
                               void *user_data);

/**
 * Fit ALS on the processes of @p comm and write the model on rank 0.
 *
 * Collective: every process of @p comm calls it with the same arguments.
 * Users and artists (their dense indices, as lr_dataset_load() gives them)
 * are split into one contiguous range per process, balanced by listen
 * count.  Each process streams the listens file and keeps only the rows
 * whose user or artist is in its ranges; each half-sweep solves its own
 * rows with liblastrec's solvers and the solved rows are exchanged with
 * MPI_Allgatherv, so every process holds all factors; BM25's statistics
 * and the loss are reduced with collectives.  The factors equal those of
 * lr_model_fit() with the same options bit for bit, for any number of
 * processes.  Rank 0 then reads the data set whole (a model file carries
 * the catalogue and the training listens) and writes an ordinary model
 * file, through a temporary file renamed into place.
 *
 * @param comm        the processes; not freed
 * @param data        a HetRec directory, a file in user_artists.dat
 *                    format, or lastfm-360K data (its directory or plays
 *                    file, which every process loads whole): the
 *                    catalogue, as for `lastrec train DATA` (borrowed)
 * @param train_path  the training listens (a split's training side, loaded
 *                    against @p data's catalogue), or NULL for @p data's
 *                    own user_artists.dat (borrowed)
 * @param options     "key=value,..." as lr_options_set_string() reads them,
 *                    or NULL for als's defaults (borrowed)
 * @param model_path  where rank 0 writes the model (borrowed; read on rank
 *                    0 only)
 * @param fn          per-epoch report, or NULL
 * @param user_data   passed to @p fn
 * @return LR_OK (0) or the same negative LR_E_* status on every process:
 *         LR_E_INVALID (a bad option or argument), LR_E_IO, LR_E_PARSE,
 *         LR_E_HEADER, LR_E_RANGE, LR_E_NOTFOUND, LR_E_DUPLICATE,
 *         LR_E_ENCODING, LR_E_TOOLONG, LR_E_EMPTY (the input, on whichever
 *         process found it), LR_E_NUMERIC, LR_E_NOMEM, LR_E_CANCELLED;
 *         lr_mpi_last_error() then says which process failed and why.
 *
 * Thread-safety: one call at a time per communicator; the caller must
 * have initialised MPI.
 */
LR_MPI_API int lr_mpi_als_train(MPI_Comm comm, const char *data, const char *train_path,
                                const char *options, const char *model_path, lr_mpi_epoch_fn fn,
                                void *user_data);

/**
 * The message of this thread's last failed lr_mpi_* call, or "" (static
 * storage of the thread; valid until its next lr_mpi_* call).
 *
 * @return the message, never NULL
 *
 * Thread-safety: per thread.
 */
LR_MPI_API const char *lr_mpi_last_error(void);

/**
 * The version of liblastrec this library's solvers come from, as
 * lr_version_string() ("0.1.0").
 *
 * @return a static string
 *
 * Thread-safety: safe from any thread.
 */
LR_MPI_API const char *lr_mpi_lastrec_version(void);

#ifdef __cplusplus
}
#endif

#endif
