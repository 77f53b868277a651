#!/bin/sh
# ALS over MPI: seconds per iteration and factor bytes exchanged per
# iteration per process at 1, 2, 3 and 4 processes (docs/scale.md, "Across
# machines (MPI)").  Not run by meson test.
#
#   bench/bench_mpi.sh BUILD DATA [EPOCHS [NPS]]
#
# BUILD is a build directory with -Dmpi enabled, DATA a HetRec directory,
# e.g. the 360K-shaped synthetic set:
#   BUILD/tools/lastrec/lastrec synth /tmp/s360m --users 360000 \
#       --artists 160000 --opt synth_artists_per_user=48
# Each process runs one thread (threads=1) and --oversubscribe lets more
# processes than cores run: on a 2-core machine 3 and 4 processes share
# the cores, so their times show the communication volume and the
# redundant per-process work, not the speed-up of more machines.
# Per run: the median over epochs 2.. (epoch 1 warms up) of the slowest
# process's epoch time, CPU time, MPI time and Gram time; the bytes are those of the
# process that received (sent) most.
set -eu
build=${1:?usage: bench_mpi.sh BUILD DATA [EPOCHS [NPS]]}
data=${2:?usage: bench_mpi.sh BUILD DATA [EPOCHS [NPS]]}
epochs=${3:-5}
nps=${4:-1 2 3 4}
tool=$build/mpi/lastrec-mpi
out=${TMPDIR:-/tmp}/bench_mpi.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# A process waiting in a collective yields its core instead of spinning on
# it: with more processes than free cores a spinning one would steal the
# time of the one it waits for.
export OMPI_MCA_mpi_yield_when_idle=1
printf '%-3s %8s %8s %8s %8s %13s %13s %10s %8s\n' np s/iter CPU-s MPI-s Gram-s MB-recv/iter MB-sent/iter prepare-s total-s
for np in $nps; do
	start=$(date +%s.%N)
	mpirun -np "$np" --oversubscribe --bind-to none "$tool" train "$data" \
		-o "$out/m.model" --opt "epochs=$epochs,threads=1" --verbose \
		>"$out/out.txt" 2>"$out/err.txt" || { cat "$out/err.txt"; exit 1; }
	end=$(date +%s.%N)
	awk -v np="$np" -v total="$(echo "$end - $start" | bc)" '
	/read its shard and prepared/ { p = $(NF-1); if (p > prep) prep = p }
	/ epoch [0-9]+:/ {
		e = $5; sub(":", "", e); e += 0
		s = $6; m = $9; g = $12
		if (s > t[e]) t[e] = s
		if (m > x[e]) x[e] = m
		if (g > y[e]) y[e] = g
		if ($15 > recv) recv = $15
		if ($18 > sent) sent = $18
		c = $(NF-1) + 0
		if (c > cpu[e]) cpu[e] = c
		if (e > n) n = e
	}
	function median(a, lo, hi,   k, i, j, v, c) {
		c = 0
		for (i = lo; i <= hi; i++) v[++c] = a[i]
		for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { k = v[j]; v[j] = v[j-1]; v[j-1] = k }
		return c % 2 ? v[(c+1)/2] : (v[c/2] + v[c/2+1]) / 2
	}
	END {
		lo = n > 1 ? 2 : 1
		printf "%-3s %8.3f %8.3f %8.3f %8.3f %13.1f %13.1f %10.1f %8.1f\n", np, median(t, lo, n), median(cpu, lo, n), median(x, lo, n), median(y, lo, n), recv, sent, prep, total
	}' "$out/err.txt"
done
