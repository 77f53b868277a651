#!/usr/bin/env python3
"""The two paths of a batch `model.recommend(user_ids, k=10)`: one library
call per user, or `Query.recommend_all` for every user and the rows picked
out.  The binding takes recommend_all from the batch size where it is the
quicker (docs/python.md, "Batches"); this prints both paths' median times
per batch size so that threshold can be checked.  Run it with `meson test
--benchmark python-batch` or by hand:

    LASTREC_LIBRARY=build/lib/liblastrec.so.1 PYTHONPATH=python \\
        python3 bench/bench_python_batch.py

It uses the real data when LASTREC_DATA names them (ALS, 64 factors, 5
epochs), otherwise a synthetic set of the real data's shape.  Times are
wall-clock medians of 7 runs; recommend_all uses all cores.
"""

import os
import statistics
import time

import lastrec
from lastrec import query

ROUNDS = 7


def median_ms(func):
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    path = os.environ.get("LASTREC_DATA")
    if path:
        data = lastrec.Dataset.load(path)
        print("data: %s" % path)
    else:
        data = lastrec.Dataset.synthesize(users=1892, artists=17632, seed=1)
        print("data: synthetic (LASTREC_DATA is not set)")
    train, _ = data.split(seed=1)
    model = lastrec.Model("als", factors=64, epochs=5).fit(train)
    users = model.user_ids()
    print("users %d, k 10, load %.1f" % (len(users), os.getloadavg()[0]))
    print("%8s %14s %14s %8s" % ("batch", "per user ms", "all ms", "chosen"))
    for n in sorted({16, 64, 256, len(users) // 4, len(users) // 2, len(users)}):
        batch = users[:n]
        with_paths = {}
        for name, share, least in (("per-user", 0, 10**9), ("all", 10**9, 0)):
            query._ALL_SHARE, query._ALL_MIN = share, least
            with_paths[name] = median_ms(lambda: model.recommend(batch, k=10))
        query._ALL_SHARE, query._ALL_MIN = SHARE, LEAST
        chosen = "all" if n * SHARE >= len(users) and n >= LEAST else "per-user"
        print("%8d %14.1f %14.1f %8s" % (n, with_paths["per-user"], with_paths["all"], chosen))


SHARE, LEAST = query._ALL_SHARE, query._ALL_MIN

if __name__ == "__main__":
    main()
