"""Unit tests of datachef_toolkit.py: python3 -m unittest discover -s src/toolkit -p 'test_*.py'"""
import ast
import contextlib
import gc
import hashlib
import io
import json
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import threading
import unicodedata
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import datachef_toolkit as dc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
HAS_SHARED = os.path.isdir(os.path.join(SHARED, "datasets"))
if not HAS_SHARED:
    sys.stderr.write("WARNING: %s not found: real-data toolkit tests are SKIPPED\n" % SHARED)
needs_shared = unittest.skipUnless(HAS_SHARED, "shared datasets absent (%s)" % SHARED)

_TOK = re.compile(r"[^\W_]+")


def ref_normalize(s):
    """The rule of docs/architecture.md written the obvious (slow) way."""
    return " ".join(_TOK.findall(unicodedata.normalize("NFKC", s).lower()))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_fingerprints(records, n=13):
    """A small Python mirror of src/verify/ngrams.ts buildFingerprints (the product builder)."""
    raw, df = [], {}
    for item, rec in enumerate(records):
        in_rec = set()
        for leaf in dc._leaves(rec, []):
            toks = dc.normalize_text(leaf).split(" ") if dc.normalize_text(leaf) else []
            grams = {dc.text_hash(" ".join(toks[i:i + n])) for i in range(len(toks) - n + 1)}
            if grams:
                raw.append((item, grams))
                in_rec |= grams
        for g in in_rec:
            df[g] = df.get(g, 0) + 1
    limit = max(3, 0.01 * len(records))
    segments, seg_item, index = [], [], {}
    for item, grams in raw:
        kept = [g for g in grams if df[g] <= limit]
        if not kept:
            continue
        sid = len(segments)
        segments.append(len(kept))
        seg_item.append(item)
        for g in kept:
            index.setdefault(g, []).append(sid)
    return {"version": 1, "n": n, "overlap": 0.5, "records": len(records), "segments": segments,
            "segmentItem": seg_item, "index": index, "droppedTemplate": 0}


class Env(unittest.TestCase):
    """Each test runs in a fresh folder with its own sources/ and output/."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dc-test-")
        self.src = os.path.join(self.dir, "sources")
        os.makedirs(self.src)
        self.out = os.path.join(self.dir, "output", "data.jsonl")
        self._env = dict(os.environ)
        os.environ.update(DATACHEF_SOURCES=self.src, DATACHEF_OUTPUT=self.out, DATACHEF_QUIET="1",
                          DATACHEF_BENCHMARK_NGRAMS=os.path.join(self.dir, "benchmark_ngrams.json"))
        os.environ.pop("DATACHEF_LLM_BRIDGE", None)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self._env)
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_source(self, sid, lines):
        with open(os.path.join(self.src, sid + ".jsonl"), "wb") as f:
            for line in lines:
                f.write(line if isinstance(line, bytes) else (json.dumps(line) + "\n").encode("utf-8"))

    def steps_file(self):
        with open(os.path.join(os.path.dirname(self.out), "steps.jsonl"), encoding="utf-8") as f:
            return [json.loads(line) for line in f]


def chat(u, a, src=None, system=None):
    return dc.to_chat(u, a, system=system, source=src)


class SourcesTest(Env):
    def test_iter_source_tags_and_counts_malformed(self):
        self.write_source("s", [{"q": "a"}, b"{not json\n", b"\n", b"[1, 2]\n", b'{"q": "\xff\xfe"}\n',
                                {"q": "b", "_source": "orig"}])
        recs = list(dc.iter_source("s"))
        self.assertEqual([r["q"] for r in recs], ["a", "b"])
        self.assertEqual(recs[0]["_source"], "s")
        self.assertEqual(recs[1]["_source"], "orig")  # an existing tag is kept
        st = dc.source_stats()["s"]
        self.assertEqual((st["lines"], st["records"], st["malformed"], st["first_malformed_line"]), (5, 2, 3, 2))
        step = self.steps_file()[-1]
        self.assertEqual((step["step"], step["in"], step["out"], step["malformed"]), ("load:s", 5, 2, 3))

    def test_limit_and_load_source(self):
        self.write_source("s", [{"i": i} for i in range(10)])
        self.assertEqual([r["i"] for r in dc.iter_source("s", limit=3)], [0, 1, 2])
        self.assertEqual(len(dc.load_source("s")), 10)
        self.assertEqual(dc.load_source("s", tag=False)[0], {"i": 0})
        self.assertEqual(dc.list_sources(), ["s"])

    def test_unknown_source_names_id_and_available(self):
        self.write_source("gsm8k_train", [{"q": 1}])
        self.write_source("svamp", [{"q": 1}])
        with self.assertRaises(dc.SourceNotFound) as cm:
            list(dc.iter_source("gsm8k_trian"))
        msg = str(cm.exception)
        self.assertIn("'gsm8k_trian'", msg)
        self.assertIn("gsm8k_train, svamp", msg)
        self.assertIn("did you mean 'gsm8k_train'", msg)
        self.assertIsInstance(cm.exception, LookupError)


class FieldTest(unittest.TestCase):
    rec = {"question": {"stem": "Q", "choices": [{"label": "A", "text": "x"}, {"label": "B", "text": "y"}]},
           "options": {"A": "one", "B": "two"}, "list": [1, 2, 3], "flat": "v"}

    def test_paths(self):
        g = dc.get_field
        self.assertEqual(g(self.rec, "flat"), "v")
        self.assertEqual(g(self.rec, "question.stem"), "Q")
        self.assertEqual(g(self.rec, "question.choices[].text"), ["x", "y"])
        self.assertEqual(g(self.rec, "question.choices[1].label"), "B")
        self.assertEqual(g(self.rec, "question.choices[-1].text"), "y")
        self.assertEqual(g(self.rec, "list[0]"), 1)
        self.assertEqual(g(self.rec, "list.2"), 3)
        self.assertEqual(g(self.rec, "options[]"), ["one", "two"])  # dict fan-out: option texts
        self.assertEqual(g(self.rec, "options.B"), "two")

    def test_missing(self):
        g = dc.get_field
        self.assertIsNone(g(self.rec, "nope"))
        self.assertEqual(g(self.rec, "question.nope.deeper", default="d"), "d")
        self.assertEqual(g(self.rec, "list[7]", default=0), 0)
        self.assertEqual(g(self.rec, "question.choices[].missing"), [])
        self.assertEqual(g("not a dict", "a.b", 5), 5)


class FilterTest(Env):
    def test_filter_and_map(self):
        recs = [{"n": i} for i in range(10)]
        self.assertEqual(len(dc.filter_records(recs, lambda r: r["n"] % 2 == 0, step="even")), 5)
        out = dc.map_records(recs, lambda r: None if r["n"] > 2 else {"m": r["n"] * 10})
        self.assertEqual(out, [{"m": 0}, {"m": 10}, {"m": 20}])
        self.assertEqual([s["step"] for s in self.steps_file()], ["even", "map_records"])
        self.assertEqual((self.steps_file()[0]["in"], self.steps_file()[0]["out"]), (10, 5))

    def test_select_by_keywords(self):
        recs = [{"t": "A cat sat."}, {"t": "Category theory"}, {"t": "CATS and dogs"}, {"t": "Dog, cat!"},
                {"t": "I like C++ a lot"}, {"t": "C+++"}]
        pick = lambda *a, **k: [r["t"] for r in dc.select_by_keywords(recs, *a, **k)]  # noqa: E731
        self.assertEqual(pick("cat"), ["A cat sat.", "Dog, cat!"])  # whole words, any case
        self.assertEqual(pick(["cats", "dog"]), ["CATS and dogs", "Dog, cat!"])
        self.assertEqual(pick(["cat", "dog"], mode="all"), ["Dog, cat!"])
        self.assertEqual(pick("c++"), ["I like C++ a lot", "C+++"])
        self.assertEqual(pick("and  DOGS"), ["CATS and dogs"])  # phrases: any whitespace between words
        self.assertEqual(pick("cat", fields=["missing"]), [])
        self.assertEqual(len(pick("cat", negate=True)), 4)
        chats = [chat("What about the user?", "assistant here"), chat("medicine", "yes")]
        self.assertEqual(len(dc.select_by_keywords(chats, "user")), 1)  # roles are not content
        with self.assertRaises(ValueError):
            dc.select_by_keywords(recs, [])

    def test_filter_length(self):
        recs = [chat("u" * 5, "a" * n) for n in (1, 10, 100)]
        self.assertEqual(len(dc.filter_length(recs, min_chars=10)), 2)
        self.assertEqual(len(dc.filter_length(recs, min_chars=1, max_chars=10)), 2)
        self.assertEqual(len(dc.filter_length(recs, role="user", max_chars=4)), 0)
        self.assertEqual(len(dc.filter_length([{"x": "abc"}, {"x": "a"}], field="x", min_chars=2)), 1)

    def test_filter_outliers(self):
        rng = random.Random(0)
        recs = [chat("q", "a" * rng.randint(80, 120)) for _ in range(200)]
        recs += [chat("q", "a" * 20000), chat("q", "a")]
        kept = dc.filter_outliers(recs, z=3.0)
        lens = sorted(len(dc.assistant_text(r)) for r in kept)
        self.assertEqual(len(kept), 200)
        self.assertTrue(lens[0] >= 80 and lens[-1] <= 120)
        q = dc.filter_outliers(recs, quantiles=(0.05, 0.95))
        self.assertTrue(150 <= len(q) < 202)
        self.assertEqual(len(dc.filter_outliers(recs[:5])), 5)  # too few to judge


class ChatTest(Env):
    def test_to_chat_and_validate(self):
        r = dc.to_chat("hi", "hello", system="sys", source="s")
        self.assertEqual([m["role"] for m in r["messages"]], ["system", "user", "assistant"])
        self.assertEqual(r["_source"], "s")
        self.assertIsNone(dc.validate_chat(r))
        for bad in ("", "   \n", None, 3, "\u3000"):
            with self.assertRaises(ValueError):
                dc.to_chat(bad, "x")
            with self.assertRaises(ValueError):
                dc.to_chat("x", bad)

    def test_validate_rules(self):
        v = dc.validate_chat
        self.assertIsNotNone(v([]))
        self.assertIsNotNone(v({"messages": "x"}))
        self.assertIsNotNone(v({"messages": [{"role": "user", "content": "a"}]}))
        self.assertIsNotNone(v({"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]}))
        self.assertIsNotNone(v({"messages": [{"role": "system", "content": "a"}, {"role": "assistant", "content": "b"}]}))
        self.assertIsNotNone(v({"messages": [{"role": "bot", "content": "a"}, {"role": "assistant", "content": "b"}]}))
        self.assertIsNotNone(v({"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "b"}]}))
        self.assertIsNotNone(v({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": 1}]}))
        self.assertIsNone(v({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                          {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}))

    def test_standardize_shapes(self):
        recs = [{"q": "q%d" % i, "a": "a%d" % i, "_source": "src"} for i in range(6)]

        def build(r):
            i = int(r["q"][1:])
            if i == 0:
                return r["q"], r["a"]
            if i == 1:
                return "sys", r["q"], r["a"]
            if i == 2:
                return {"messages": [{"role": "user", "content": r["q"]}, {"role": "assistant", "content": r["a"]}]}
            if i == 3:
                return None
            if i == 4:
                return dc.to_chat(r["q"], r["a"], source="explicit")
            raise KeyError("boom")

        out = dc.standardize(recs, build)
        self.assertEqual(len(out), 4)
        self.assertTrue(all(dc.validate_chat(r) is None for r in out))
        self.assertEqual([r["_source"] for r in out], ["src", "src", "src", "explicit"])
        self.assertEqual(out[1]["messages"][0], {"role": "system", "content": "sys"})
        step = self.steps_file()[-1]
        self.assertEqual((step["in"], step["out"], step["dropped"], step["errors"]), (6, 4, 1, {"KeyError": 1}))
        self.assertEqual(dc.standardize(recs[:1], build, source="fixed")[0]["_source"], "fixed")

    def test_standardize_errors_counted_then_fatal(self):
        recs = [{"q": "q", "a": "a" if i % 10 else ""} for i in range(100)]
        out = dc.standardize(recs, lambda r: (r["q"], r["a"]))
        self.assertEqual(len(out), 90)  # empty answers are counted and dropped
        self.assertEqual(self.steps_file()[-1]["errors"], {"InvalidChat": 10})
        with self.assertRaises(dc.StandardizeError) as cm:
            dc.standardize(recs, lambda r: (r["question"], r["a"]))  # wrong field name: a bug
        msg = str(cm.exception)
        self.assertIn("100 of 100", msg)
        self.assertIn("KeyError", msg)
        self.assertIn("Traceback", msg)
        with self.assertRaises(dc.StandardizeError):
            dc.standardize(recs, lambda r: (r.get("question"), r["a"]))  # None content everywhere
        self.assertTrue(gc.isenabled())  # the GC pause of the hot loop ends even on errors
        self.assertEqual(len(dc.standardize(recs, lambda r: (r["q"], r["a"]) if r["a"] else 1 / 0,
                                            max_error_share=0.2)), 90)


class NormalizeTest(unittest.TestCase):
    def test_vectors_shared_with_ts(self):
        # the same vectors as src/data/text.test.ts
        self.assertEqual(dc.normalize_text("Janet’s ducks lay 16 eggs!"), "janet s ducks lay 16 eggs")
        self.assertEqual(dc.normalize_text("ＡＢＣ déjà-vu"), "abc déjà vu")
        self.assertEqual(dc.normalize_text("  Hello,\n WORLD "), dc.normalize_text("hello world"))
        self.assertEqual(dc.text_hash("hello world"), "2aae6c35c94fcfb4")
        self.assertEqual(dc.text_hash("x\ud800y"), hashlib.sha1("x\ufffdy".encode()).hexdigest()[:16])

    def test_fast_path_equals_reference_on_fuzz(self):
        rng = random.Random(7)
        pools = [range(32, 127), range(0xA0, 0x250), range(0x370, 0x400), range(0x2000, 0x2070),
                 range(0x3000, 0x3100), range(0x4E00, 0x4E80), range(0xFF00, 0xFF70), range(0x900, 0x980),
                 range(0x2150, 0x2190), range(0xD800, 0xD810), range(0x1F600, 0x1F610), range(0xFB00, 0xFB08)]
        for _ in range(3000):
            s = "".join(chr(rng.choice(rng.choice(pools))) for _ in range(rng.randint(0, 40)))
            self.assertEqual(dc.normalize_text(s), ref_normalize(s), repr(s))

    @needs_shared
    def test_fast_path_equals_reference_on_real_data(self):
        n = 0
        for dom in sorted(os.listdir(os.path.join(SHARED, "datasets"))):
            d = os.path.join(SHARED, "datasets", dom)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                for rec in read_jsonl(os.path.join(d, name))[:300]:
                    t = "\n".join(dc._leaves(rec, []))
                    self.assertEqual(dc.normalize_text(t), ref_normalize(t), name)
                    n += 1
        self.assertGreater(n, 5000)


class DedupTest(Env):
    def test_dedup_exact(self):
        recs = [chat("What is 2+2?", "4"), chat("what is 2 + 2", "4."), chat("What is 2+2?", "5"),
                chat("What is 2+2?", "4", system="be brief"), chat("What is 2+2?", "4")]
        out = dc.dedup_exact(recs)
        self.assertEqual([dc.assistant_text(r) for r in out], ["4", "5"])
        self.assertEqual(self.steps_file()[-1]["removed"], 3)
        self.assertEqual(len(dc.dedup_exact(recs, normalize=False)), 3)  # literal copies (system ignored)
        by_q = dc.dedup_exact(recs, key=lambda r: dc.user_text(r))
        self.assertEqual(len(by_q), 1)
        self.assertEqual(len(dc.dedup_exact(recs, key="messages[-1].content")), 2)
        raw = [{"q": "A b"}, {"q": "a, B"}, {"q": "c"}]
        self.assertEqual(len(dc.dedup_exact(raw)), 2)

    def planted(self, n_orig=600, n_copy=200, seed=3):
        """Random-word documents plus copies with 1-3 word edits; fam = the original's id."""
        rng = random.Random(seed)
        vocab = ["w%d" % i for i in range(5000)]
        docs = [[rng.choice(vocab) for _ in range(rng.randint(250, 350))] for _ in range(n_orig)]
        recs = [{"text": " ".join(d), "id": i, "fam": i} for i, d in enumerate(docs)]
        for k in range(n_copy):
            fam = rng.randrange(n_orig)
            d = list(docs[fam])
            for _ in range(rng.randint(1, 3)):
                d[rng.randrange(len(d))] = rng.choice(vocab)
            recs.append({"text": " ".join(d), "id": n_orig + k, "fam": fam})
        for k in range(100):  # hard negatives: half of an original, half new words (Jaccard ~ 1/3)
            d = list(docs[rng.randrange(n_orig)])
            half = len(d) // 2
            d[half:] = [rng.choice(vocab) for _ in range(len(d) - half)]
            i = n_orig + n_copy + k
            recs.append({"text": " ".join(d), "id": i, "fam": i})
        rng.shuffle(recs)
        return recs

    def test_dedup_near_planted_recall_precision(self):
        recs = self.planted()
        # ground truth: a record is a duplicate when an earlier record belongs to its family
        truth, seen = set(), set()
        for r in recs:
            if r["fam"] in seen:
                truth.add(r["id"])
            seen.add(r["fam"])
        kept = {r["id"] for r in dc.dedup_near(recs, key="text", threshold=0.8)}
        got = {r["id"] for r in recs} - kept
        tp = len(got & truth)
        recall, precision = tp / len(truth), tp / max(1, len(got))
        sys.stderr.write("\n  planted near-dups: recall %.3f precision %.3f (%d planted)\n" % (recall, precision, len(truth)))
        self.assertGreater(len(truth), 150)
        self.assertGreaterEqual(recall, 0.95, (recall, precision))
        self.assertGreaterEqual(precision, 0.95, (recall, precision))
        self.assertLess(len(kept), len(recs))

    def test_signature_equals_scalar_minhash(self):
        mh = dc._MinHasher(64, seed=5)
        rng = random.Random(5)
        params = [((rng.getrandbits(24) | 1), rng.getrandbits(24)) for _ in range(64)]
        import zlib
        for length in (0, 3, 5, 6, 40, 400):
            toks = [("t%d" % rng.randrange(50)).encode() for _ in range(length)]
            sig = mh.signature(b" ".join(toks), 5)
            if len(toks) <= 5:
                hs = {zlib.crc32(b" ".join(toks), 5) & 0xFFFFFF}
            else:
                hs = {zlib.crc32(b" ".join(toks[i:i + 5]), 5) & 0xFFFFFF for i in range(len(toks) - 4)}
            want = [min(((a * x + b) & 0xFFFFFF) >> 8 for x in hs) for a, b in params]
            got = [sig[2 * i] | (sig[2 * i + 1] << 8) for i in range(64)]
            self.assertEqual(got, want, length)
        self.assertEqual(mh.similarity(sig, sig), 1.0)

    def test_lsh_params(self):
        b, r = dc._lsh_params(0.8, 128)
        self.assertLessEqual(b * r, 128)
        p = lambda s: 1 - (1 - s ** r) ** b  # noqa: E731
        self.assertGreater(p(0.85), 0.95)  # recall first: candidates are verified anyway
        self.assertLess(p(0.3), 0.01)
        # pinned: a faster search must pick the same bands and rows (dedup results depend on them)
        self.assertEqual([dc._lsh_params(t, 128) for t in (0.5, 0.8, 0.87, 0.95)], [(32, 4), (14, 9), (10, 12), (5, 25)])
        self.assertEqual(dc._lsh_params(0.8, 64), (9, 7))

    def test_dedup_near_keeps_distinct_and_first(self):
        recs = [chat("the quick brown fox jumps over the lazy dog near the river bank today", "a"),
                chat("the quick brown fox jumps over the lazy dog near the river bank today!", "a"),
                chat("completely different text about medicine and the heart and lungs ok", "b")]
        out = dc.dedup_near(recs)
        self.assertEqual(len(out), 2)
        self.assertIs(out[0], recs[0])


class DecontaminateTest(Env):
    bench = [{"question": "Tom has twelve red apples and gives five of them to his sister Mary every single "
                          "morning before school, how many are left after two days?", "answer": "2"},
             {"question": "short one", "answer": "x"}]

    def test_contamination_and_decontaminate(self):
        fp = build_fingerprints(self.bench)
        q = self.bench[0]["question"]
        self.assertEqual(dc.contamination_of(q, fp)[:2], (True, 0))
        self.assertEqual(dc.contamination_of("TOM HAS twelve red apples, and gives five of them to his sister "
                                             "Mary every single morning before school! How many?", fp)[0], True)
        self.assertEqual(dc.contamination_of("TOM HAS twelve red apples, and gives five of them to his sister "
                                             "Mary every single morning!", fp)[0], False)  # 4 of 14 n-grams
        self.assertEqual(dc.contamination_of("Tom has twelve red apples and gives", fp), (False, -1, 0.0))
        recs = [chat(q, "2"), chat("An unrelated question about trains and their speeds", "x"), chat("short one", "x")]
        out = dc.decontaminate(recs, fingerprints=fp)
        self.assertEqual(len(out), 2)
        step = self.steps_file()[-1]
        self.assertEqual((step["removed"], step["examples"][0]["benchmark_index"]), (1, 0))
        # the answer field is not the user turn: an answer that quotes the question is not checked
        self.assertEqual(len(dc.decontaminate([chat("what?", q)], fingerprints=fp)), 1)

    def test_file_from_env_and_missing_file(self):
        recs = [chat(self.bench[0]["question"], "2")]
        err = io.StringIO()
        os.environ["DATACHEF_QUIET"] = ""
        with contextlib.redirect_stderr(err):
            self.assertEqual(len(dc.decontaminate(recs)), 1)  # no file: unchanged, with a warning
        os.environ["DATACHEF_QUIET"] = "1"
        self.assertIn("decontamination skipped", err.getvalue())
        self.assertIsNone(dc.load_benchmark_ngrams())
        with open(os.environ["DATACHEF_BENCHMARK_NGRAMS"], "w") as f:
            json.dump(build_fingerprints(self.bench), f)
        self.assertEqual(dc.load_benchmark_ngrams()["n"], 13)
        self.assertEqual(len(dc.decontaminate(recs)), 0)

    @needs_shared
    def test_gsm8k_socratic_against_gsm8k_test(self):
        fp = build_fingerprints(read_jsonl(os.path.join(SHARED, "datasets/math/gsm8k_test.jsonl")))
        soc = read_jsonl(os.path.join(SHARED, "datasets/math/gsm8k_socratic_test.jsonl"))
        recs = dc.standardize(soc, lambda r: (r["question"], r["answer"]))
        out = dc.decontaminate(recs, fingerprints=fp)
        self.assertLessEqual(len(out), 0.01 * len(recs))  # >= 99% removed
        train = read_jsonl(os.path.join(SHARED, "datasets/math/gsm8k_train.jsonl"))[:2000]
        kept = dc.decontaminate(dc.standardize(train, lambda r: (r["question"], r["answer"])), fingerprints=fp)
        self.assertGreaterEqual(len(kept), 0.99 * len(train))


class MixSampleTest(Env):
    def groups(self):
        return {"a": [{"id": "a%d" % i} for i in range(100)], "b": [{"id": "b%d" % i} for i in range(30)]}

    def test_mix_weights_without_replacement(self):
        out = dc.mix(self.groups(), {"a": 3, "b": 1}, total=80, seed=1)
        self.assertEqual(len(out), 80)
        ids = [r["id"] for r in out]
        self.assertEqual(len(set(ids)), 80)
        self.assertEqual(sum(i.startswith("a") for i in ids), 60)
        self.assertEqual({r["_source"] for r in out}, {"a", "b"})
        self.assertEqual([r["id"] for r in dc.mix(self.groups(), {"a": 3, "b": 1}, 80, seed=1)], ids)
        self.assertNotEqual([r["id"] for r in dc.mix(self.groups(), {"a": 3, "b": 1}, 80, seed=2)], ids)

    def test_mix_small_group(self):
        auto = [r["id"] for r in dc.mix(self.groups(), {"a": 1, "b": 1}, total=100, seed=0)]
        self.assertEqual(sum(i.startswith("b") for i in auto), 50)  # b repeated to keep the weights
        self.assertEqual(len({i for i in auto if i.startswith("b")}), 30)  # every b record used
        never = [r["id"] for r in dc.mix(self.groups(), {"a": 1, "b": 1}, total=100, seed=0, replace="never")]
        self.assertEqual(len(never), 100)
        self.assertEqual(len(set(never)), 100)
        self.assertEqual(sum(i.startswith("b") for i in never), 30)
        self.assertEqual(len(dc.mix(self.groups(), None, total=None)), 130)
        self.assertEqual(len(dc.mix(self.groups(), {"a": 1, "b": 1}, total=500, replace="never")), 130)
        with self.assertRaises(ValueError):
            dc.mix(self.groups(), {"c": 1}, 10)

    def test_sample_shuffle_concat(self):
        recs = list(range(50))
        s = dc.sample(recs, 10, seed=4)
        self.assertEqual(len(s), 10)
        self.assertEqual(s, sorted(s))
        self.assertEqual(s, dc.sample(recs, 10, seed=4))
        self.assertNotEqual(s, dc.sample(recs, 10, seed=5))
        self.assertEqual(dc.sample(recs, 100), recs)
        sh = dc.shuffle(recs, seed=1)
        self.assertEqual(sorted(sh), recs)
        self.assertNotEqual(sh, recs)
        self.assertEqual(sh, dc.shuffle(recs, seed=1))
        self.assertEqual(dc.concat([1, 2], (x for x in [3]), step="both"), [1, 2, 3])
        self.assertEqual(self.steps_file()[-1]["parts"], [2, 1])


class DumpTest(Env):
    def test_dump_jsonl(self):
        recs = [chat("q1", "a1", src="s1"), chat("qé\ud800", "a2", src=None),
                {"messages": [{"role": "user", "content": "x"}]}, chat("q3", "a3", src="s2")]
        recs[3]["_orig"] = 7
        err = io.StringIO()
        os.environ["DATACHEF_QUIET"] = ""
        with contextlib.redirect_stderr(err):
            n = dc.dump_jsonl(recs)
        os.environ["DATACHEF_QUIET"] = "1"
        self.assertEqual(n, 3)
        self.assertIn("skipped 1 invalid", err.getvalue())
        with open(self.out, "rb") as f:
            lines = f.read().decode("utf-8").splitlines()  # valid UTF-8 despite the lone surrogate
        data = [json.loads(line) for line in lines]
        self.assertEqual([list(d) for d in data], [["messages"]] * 3)
        self.assertEqual(data[1]["messages"][0]["content"], "qé\ud800")
        meta = read_jsonl(os.path.join(os.path.dirname(self.out), "data.meta.jsonl"))
        self.assertEqual(meta, [{"source": "s1"}, {"source": None}, {"source": "s2", "orig": 7}])
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.out))), ["data.jsonl", "data.meta.jsonl", "steps.jsonl"])

    def test_dump_all_invalid_raises_and_keeps_old_file(self):
        dc.dump_jsonl([chat("q", "a")])
        with self.assertRaises(ValueError):
            dc.dump_jsonl([{"question": "q", "answer": "a"}])
        self.assertEqual(len(read_jsonl(self.out)), 1)
        self.assertFalse([p for p in os.listdir(os.path.dirname(self.out)) if ".tmp" in p])

    def test_explicit_path_and_steps(self):
        p = os.path.join(self.dir, "x", "train.jsonl")
        self.assertEqual(dc.dump_jsonl((chat("q", "a") for _ in range(3)), path=p), 3)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "x", "train.meta.jsonl")))
        rec = dc.log_step("custom", 5, 4, note="x")
        self.assertEqual(self.steps_file()[-1]["note"], "x")
        self.assertEqual(dc.steps()[-1]["step"], rec["step"])


class ExtractJsonTest(unittest.TestCase):
    def test_extract(self):
        e = dc.extract_json
        self.assertEqual(e('Sure!\n```json\n{"a": 1}\n```\nDone.'), {"a": 1})
        self.assertEqual(e('The answer is {"a": [1, 2], "b": "}"} and more prose {x}'), {"a": [1, 2], "b": "}"})
        self.assertEqual(e("list: [1, 2, 3] end"), [1, 2, 3])
        self.assertEqual(e('{broken {"ok": true}'), {"ok": True})
        self.assertEqual(e('```\n[{"q": "x"}]\n```'), [{"q": "x"}])
        self.assertIsNone(e("no json here"))
        self.assertIsNone(e(None))


class _Bridge(BaseHTTPRequestHandler):
    calls = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Bridge.calls.append((self.path, body))
        if body["prompt"] == "spend":
            code, out = 429, {"error": "budget: 0 calls left"}
        elif body["prompt"] == "fail":
            code, out = 200, {"error": "model exploded"}
        else:
            code, out = 200, {"text": "echo: " + body["prompt"], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
        data = json.dumps(out).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


class LLMTest(Env):
    def test_no_bridge(self):
        with self.assertRaises(dc.NoModelConfigured) as cm:
            dc.generate_with_llm("hi")
        self.assertIn("no model configured", str(cm.exception))
        self.assertIn("DATACHEF_MODEL", str(cm.exception))

    def test_http_bridge(self):
        srv = HTTPServer(("127.0.0.1", 0), _Bridge)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        try:
            os.environ["DATACHEF_LLM_BRIDGE"] = "http://127.0.0.1:%d/generate" % srv.server_address[1]
            before = dc.llm_usage()["calls"]
            self.assertEqual(dc.generate_with_llm("hello", system="s", max_tokens=5, temperature=0.1), "echo: hello")
            path, body = _Bridge.calls[-1]
            self.assertEqual(path, "/generate")
            self.assertEqual(body, {"system": "s", "prompt": "hello", "max_tokens": 5, "temperature": 0.1})
            self.assertEqual(dc.generate_with_llm("x", parser=lambda t: t.upper()), "ECHO: X")
            self.assertEqual(dc.llm_usage()["calls"], before + 2)
            with self.assertRaises(dc.LLMBudgetExceeded):
                dc.generate_with_llm("spend")
            with self.assertRaises(dc.LLMError):
                dc.generate_with_llm("fail")
            n = len(_Bridge.calls)
            with self.assertRaises(ValueError):
                dc.generate_with_llm("x", parser=lambda t: int(t), retries=2)
            self.assertEqual(len(_Bridge.calls), n + 3)  # parse failures are retried
        finally:
            srv.shutdown()
            srv.server_close()

    @unittest.skipUnless(hasattr(socket, "AF_UNIX"), "no unix sockets")
    def test_unix_bridge_and_loopback_only(self):
        path = os.path.join(self.dir, "bridge.sock")

        class UnixServer(HTTPServer):
            address_family = socket.AF_UNIX

            def server_bind(self):
                self.socket.bind(self.server_address)
                self.server_name, self.server_port = "localhost", 0

        srv = UnixServer(path, _Bridge)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        try:
            os.environ["DATACHEF_LLM_BRIDGE"] = "unix:" + path
            self.assertEqual(dc.generate_with_llm("over unix"), "echo: over unix")
        finally:
            srv.shutdown()
            srv.server_close()
        os.environ["DATACHEF_LLM_BRIDGE"] = "http://10.1.2.3:80/"
        with self.assertRaises(dc.LLMError):
            dc.generate_with_llm("x")


class CompatTest(unittest.TestCase):
    def test_python38_syntax_and_apis(self):
        with open(os.path.join(HERE, "datachef_toolkit.py"), encoding="utf-8") as f:
            src = f.read()
        ast.parse(src, feature_version=(3, 8))
        for api in (".bit_count(", ".removeprefix(", ".removesuffix(", "randbytes(", "functools.cache",
                    "strict=True", "match ", "| None", "dict[", "list["):
            code = "\n".join(line for line in src.splitlines() if not line.strip().startswith("#"))
            code = re.sub(r'"""[\s\S]*?"""', "", code)
            self.assertNotIn(api, code, "not available in Python 3.8: " + api)

    def test_every_function_has_a_docstring(self):
        for name in dc.__all__:
            self.assertTrue(getattr(dc, name).__doc__, name)
        with open(os.path.join(HERE, "datachef_toolkit.py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        missing = [n.name for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not ast.get_docstring(n)]
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
