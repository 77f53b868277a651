/* lastrec-mpi: train ALS on several MPI processes (liblastrec-mpi).
 * SPDX-License-Identifier: MIT
 *
 *   mpirun -np 4 lastrec-mpi train DATA [--train FILE] -o MODEL [--opt K=V,...] [--verbose]
 *
 * Every process parses the same command line; a usage error is found by
 * all of them alike, so each exits with status 2 without talking to the
 * others.  Errors of the fit are agreed by the library: every process
 * exits with status 1 and rank 0 prints the message (naming the process
 * that failed).
 */
#include <lastrec/lastrec_mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: mpirun -np N lastrec-mpi train DATA [--train FILE] -o MODEL [--opt K=V,...] "
    "[--verbose]\n"
    "\n"
    "Fit implicit ALS on N MPI processes and write an ordinary lastrec model file on rank 0\n"
    "(read by 'lastrec recommend' and the Python binding).  The factors are those of\n"
    "'lastrec train DATA --train FILE --algo als' with the same options, bit for bit.\n"
    "\n"
    "  DATA           a HetRec directory, a file in user_artists.dat format, or lastfm-360K\n"
    "                 data (its directory or plays file; each process loads it whole to\n"
    "                 number its users and artists); every process reads it, so it must be\n"
    "                 on a file system they share\n"
    "  --train FILE   the training listens (a split's training side), streamed by every\n"
    "                 process, which keeps only its own rows; default DATA's listens\n"
    "  -o, --output MODEL  where rank 0 writes the model (through a temporary file)\n"
    "  --opt K=V,...  als options as for 'lastrec train' (factors, epochs, alpha,\n"
    "                 regularization, transform, solver, cg_steps, seed, threads = per process)\n"
    "  --verbose      one line per epoch and process on stderr: seconds, of which in MPI\n"
    "                 and in the Gram matrices, factor bytes received and sent, the loss,\n"
    "                 the process's CPU seconds\n"
    "  -h, --help     this text;  --version  the versions\n";

typedef struct report {
    int verbose, rank;
    double cpu; /* process CPU seconds at the last report */
} report;

/* CPU seconds of this process: with more processes than cores an epoch's
 * wall time includes waiting for a core, its CPU time does not. */
static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int on_epoch(int rank, int epoch, double seconds, double exchange_seconds,
                    double gram_seconds, uint64_t bytes_received, uint64_t bytes_sent, double loss, void *user_data)
{
    report *r = user_data;
    const double cpu = cpu_seconds(), used = cpu - r->cpu;
    r->cpu = cpu;
    if (r->verbose && epoch == 0)
        fprintf(stderr, "lastrec-mpi: rank %d read its shard and prepared in %.3f s\n", rank,
                seconds);
    else if (r->verbose)
        fprintf(stderr,
                "lastrec-mpi: rank %d epoch %d: %.3f s (MPI %.3f s, Gram %.3f s), received %.1f MB, "
                "sent %.1f MB, loss %.6g, CPU %.3f s\n",
                rank, epoch, seconds, exchange_seconds, gram_seconds, (double)bytes_received / 1e6,
                (double)bytes_sent / 1e6, loss, used);
    return 0;
}

static int usage_error(int rank, const char *msg)
{
    if (rank == 0)
        fprintf(stderr, "lastrec-mpi: %s\nTry 'lastrec-mpi --help'.\n", msg);
    return 2;
}

static int run(int rank, int size, int argc, char **argv)
{
    if (argc < 2)
        return usage_error(rank, "a command is required (train)");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        if (rank == 0)
            fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (rank == 0)
            printf("lastrec-mpi (liblastrec-mpi %d, lastrec %s)\n", LR_MPI_VERSION,
                   lr_mpi_lastrec_version());
        return 0;
    }
    if (strcmp(argv[1], "train") != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown command '%.64s' (the only one is train)", argv[1]);
        return usage_error(rank, msg);
    }
    const char *data = NULL, *train = NULL, *out = NULL;
    char opts[4096] = "";
    report rep = {0, rank, cpu_seconds()};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            if (rank == 0)
                fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--verbose") == 0) {
            rep.verbose = 1;
        } else if (strcmp(a, "--train") == 0 || strcmp(a, "-o") == 0 ||
                   strcmp(a, "--output") == 0 || strcmp(a, "--opt") == 0) {
            if (!has_value) {
                char msg[128];
                snprintf(msg, sizeof msg, "%s needs a value", a);
                return usage_error(rank, msg);
            }
            const char *v = argv[++i];
            if (strcmp(a, "--train") == 0) {
                train = v;
            } else if (strcmp(a, "--opt") == 0) {
                size_t l = strlen(opts);
                if (l + strlen(v) + 2 > sizeof opts)
                    return usage_error(rank, "--opt: too long");
                snprintf(opts + l, sizeof opts - l, "%s%s", l ? "," : "", v);
            } else {
                out = v;
            }
        } else if (a[0] == '-' && a[1] != 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "train: unknown option '%.64s'", a);
            return usage_error(rank, msg);
        } else if (!data) {
            data = a;
        } else {
            return usage_error(rank, "train: one DATA only");
        }
    }
    if (!data)
        return usage_error(rank, "train: DATA is required");
    if (!out)
        return usage_error(rank, "train: -o MODEL is required");
    const double t0 = MPI_Wtime();
    int st = lr_mpi_als_train(MPI_COMM_WORLD, data, train, opts[0] ? opts : NULL, out, on_epoch,
                              &rep);
    if (st != 0) {
        if (rank == 0)
            fprintf(stderr, "lastrec-mpi: %s\n", lr_mpi_last_error());
        return 1;
    }
    if (rank == 0)
        printf("%s: als model of %s trained by %d process%s in %.1f s\n", out, data, size,
               size == 1 ? "" : "es", MPI_Wtime() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int rc = run(rank, size, argc, argv);
    fflush(stdout);
    MPI_Finalize();
    return rc;
}
