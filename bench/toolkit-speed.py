"""Timing driver of bench/toolkit-speed.ts (run by it; our own code, so it runs outside a sandbox).

Prints one JSON object: per-mode wall times of each repeat, counts and peak memory.
"""
import argparse
import gc
import hashlib
import random
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "toolkit"))
os.environ.setdefault("DATACHEF_QUIET", "1")
import datachef_toolkit as dc  # noqa: E402


def build(r):
    return r["question"], r["answer"]


def toolkit_pipeline(source_id, out):
    """(a) iter_source -> standardize -> dedup_exact -> dump_jsonl."""
    recs = dc.standardize(dc.iter_source(source_id), build, source=source_id)
    n_in = len(recs)
    recs = dc.dedup_exact(recs)
    written = dc.dump_jsonl(recs, path=out)
    return {"records": n_in, "survivors": written}


def json_floor(src, out):
    """(b) the plain loop: json.loads + json.dumps of every record."""
    n = 0
    loads, dumps = json.loads, json.dumps
    with open(src, "r", encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            o.write(dumps(loads(line)) + "\n")
            n += 1
    return {"records": n}


def raw_copy(src, out):
    """(c) raw line copy."""
    n = 0
    with open(src, "r", encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            o.write(line)
            n += 1
    return {"records": n}


def timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    res = fn(*args)
    res["seconds"] = time.perf_counter() - t0
    return res


def near_dedup(paths, min_docs):
    docs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            docs.extend(json.loads(line) for line in f if line.strip())
    if len(docs) < min_docs:
        raise SystemExit("near-dedup needs >= %d docs, got %d" % (min_docs, len(docs)))
    toks = [len(dc.normalize_text(dc._record_text(d)).split()) for d in docs]
    gc.collect()
    t0 = time.perf_counter()
    kept = dc.dedup_near(docs)
    sec = time.perf_counter() - t0
    return {"docs": len(docs), "kept": len(kept), "seconds": sec,
            "mean_tokens": sum(toks) / len(toks), "mean_shingles": sum(max(1, t - 4) for t in toks) / len(toks)}


def scalar_minhash(paths, n_docs, num_perm=128, shingle=5):
    """The textbook pure-Python MinHash on the same shingles, for an in-run comparison: one
    (a*h + b) mod (2^61 - 1) loop per permutation, as datasketch computes it (there with numpy)."""
    docs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            docs.extend(json.loads(line) for line in f if line.strip())
    step = max(1, len(docs) // n_docs)
    docs = docs[::step][:n_docs]  # spread over every file
    prime, top = (1 << 61) - 1, (1 << 32) - 1
    rng = random.Random(1)
    params = [(rng.randrange(1, prime), rng.randrange(0, prime)) for _ in range(num_perm)]
    t0 = time.perf_counter()
    for d in docs:
        toks = dc.normalize_text(dc._record_text(d)).split(" ")
        grams = {" ".join(toks[i:i + shingle]) for i in range(max(1, len(toks) - shingle + 1))}
        hs = [int.from_bytes(hashlib.sha1(g.encode()).digest()[:4], "little") for g in grams]
        [min(((a * h + b) % prime) & top for h in hs) for a, b in params]
    sec = time.perf_counter() - t0
    return {"docs": len(docs), "seconds": sec}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="folder with sources/<id>.jsonl; outputs go to out/")
    ap.add_argument("--source-id", required=True)
    ap.add_argument("--unique-id", default=None, help="a second source whose rows are all distinct")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--near", nargs="*", default=[], help="JSONL files for the MinHash run")
    ap.add_argument("--near-docs", type=int, default=20000)
    a = ap.parse_args()

    os.environ["DATACHEF_SOURCES"] = os.path.join(a.work, "sources")
    out = os.path.join(a.work, "out")
    os.environ["DATACHEF_OUTPUT"] = os.path.join(out, "data.jsonl")
    os.makedirs(out, exist_ok=True)
    result = {"python": sys.version.split()[0], "runs": {}}

    def src(sid):
        return os.path.join(a.work, "sources", sid + ".jsonl")

    modes = [("toolkit", lambda: timed(toolkit_pipeline, a.source_id, os.path.join(out, "a.jsonl"))),
             ("json_floor", lambda: timed(json_floor, src(a.source_id), os.path.join(out, "b.jsonl"))),
             ("raw_copy", lambda: timed(raw_copy, src(a.source_id), os.path.join(out, "c.jsonl")))]
    if a.unique_id:
        modes += [("toolkit_distinct", lambda: timed(toolkit_pipeline, a.unique_id, os.path.join(out, "d.jsonl"))),
                  ("json_floor_distinct", lambda: timed(json_floor, src(a.unique_id), os.path.join(out, "e.jsonl")))]
    for rep in range(a.repeats):  # interleaved, so load from other processes hits every mode alike
        for name, run in modes:
            result["runs"].setdefault(name, []).append(run())
            for f in os.listdir(out):
                os.remove(os.path.join(out, f))
    if a.near:
        result["near"] = [near_dedup(a.near, a.near_docs) for _ in range(a.repeats)]
        result["near_scalar"] = scalar_minhash(a.near, 600)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
