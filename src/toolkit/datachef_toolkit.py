"""datachef recipe toolkit: stdlib-only helpers that data recipes are written against.

Uploaded next to every recipe and imported as `import datachef_toolkit as dc`.
Environment: DATACHEF_SOURCES (folder of read-only <source_id>.jsonl, default sources/),
DATACHEF_OUTPUT (training set path, default output/data.jsonl), DATACHEF_BENCHMARK_NGRAMS
(benchmark fingerprints, default ./benchmark_ngrams.json), DATACHEF_LLM_BRIDGE (host LLM bridge).
Every operation appends a funnel line {"step","in","out",...} to steps.jsonl next to the output.

Example:
    import datachef_toolkit as dc
    def build(r):  # return (user, assistant), (system, user, assistant), a chat dict, or None
        return r["question"], r["answer"]
    recs = dc.standardize(dc.iter_source("my_source"), build)
    recs = dc.filter_length(recs, role="assistant", min_chars=20)
    recs = dc.dedup_exact(recs)
    recs = dc.decontaminate(recs)
    dc.dump_jsonl(dc.sample(recs, 5000, seed=0))
"""
import codecs
import gc
import hashlib
import json
import math
import operator
import os
import random
import re
import sys
import time
import unicodedata
import zlib
from itertools import accumulate, repeat

# difflib, traceback, http.client, socket and urllib are imported where they are used: together
# they were a third of the toolkit's import time, paid by every recipe run.

__all__ = [
    "DatachefError", "SourceNotFound", "StandardizeError", "NoModelConfigured", "LLMBudgetExceeded",
    "LLMError", "iter_source", "load_source", "list_sources", "source_stats", "get_field",
    "filter_records", "map_records", "select_by_keywords", "to_chat", "validate_chat",
    "user_text", "assistant_text", "standardize", "normalize_text", "text_hash", "dedup_exact",
    "dedup_near", "filter_length", "filter_outliers", "load_benchmark_ngrams",
    "contamination_of", "decontaminate", "mix", "sample", "shuffle", "concat", "dump_jsonl",
    "extract_json", "generate_with_llm", "llm_usage", "log_step", "steps",
]


# ---------------------------------------------------------------- errors

class DatachefError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class SourceNotFound(DatachefError, LookupError):
    """A source id that is not staged in DATACHEF_SOURCES."""


class StandardizeError(DatachefError, RuntimeError):
    """build() failed on too many records: almost always a bug in the recipe."""


class NoModelConfigured(DatachefError, RuntimeError):
    """generate_with_llm was called but the host started no LLM bridge."""


class LLMBudgetExceeded(DatachefError, RuntimeError):
    """The host bridge refused the call: the recipe's LLM call/token budget is spent."""


class LLMError(DatachefError, RuntimeError):
    """The LLM bridge answered with an error or an unreadable response."""


# ---------------------------------------------------------------- environment and funnel log

_RUN_ID = "%d-%d" % (os.getpid(), int(time.time() * 1000))
_STEPS = []
_SOURCE_STATS = {}
_WARNED = set()


def _quiet():
    """DATACHEF_QUIET=1 silences the stderr progress lines."""
    return os.environ.get("DATACHEF_QUIET", "") not in ("", "0")


def _warn(msg, once_key=None):
    """One line on stderr (recipes' stdout may be parsed by the caller)."""
    if once_key is not None:
        if once_key in _WARNED:
            return
        _WARNED.add(once_key)
    if not _quiet():
        sys.stderr.write("[datachef] warning: %s\n" % msg)


def output_path():
    """Path of the training set: env DATACHEF_OUTPUT, else output/data.jsonl."""
    return os.environ.get("DATACHEF_OUTPUT") or os.path.join("output", "data.jsonl")


def sources_dir():
    """Folder of staged sources: env DATACHEF_SOURCES, else sources/."""
    return os.environ.get("DATACHEF_SOURCES") or "sources"


def _steps_path():
    """steps.jsonl next to the training set."""
    return os.path.join(os.path.dirname(output_path()) or ".", "steps.jsonl")


def log_step(name, n_in, n_out, **extra):
    """Record one funnel line {"step","in","out",...} in steps.jsonl next to the output."""
    rec = {"step": name, "in": n_in, "out": n_out}
    rec.update(extra)
    rec["run"] = _RUN_ID
    rec["script"] = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    _STEPS.append(rec)
    path = _steps_path()
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, default=str) + "\n")
    except OSError as e:
        _warn("cannot write %s (%s); the funnel is kept in memory only" % (path, e), "steps-io")
    if not _quiet():
        sys.stderr.write("[datachef] %s: %s -> %s\n" % (name, n_in, n_out))
    return rec


def steps():
    """The funnel lines logged by this process, oldest first."""
    return [dict(s) for s in _STEPS]


def _as_list(records):
    """Materialise an iterable once (operations report in/out counts)."""
    return records if isinstance(records, list) else list(records)


# ---------------------------------------------------------------- sources

def list_sources():
    """Ids of the sources staged in DATACHEF_SOURCES (file names without .jsonl)."""
    d = sources_dir()
    try:
        names = os.listdir(d)
    except OSError:
        return []
    return sorted(n[:-6] for n in names if n.endswith(".jsonl"))


def _source_path(source_id):
    """Path of a staged source, or SourceNotFound naming the available ids."""
    if not isinstance(source_id, str) or not source_id:
        raise SourceNotFound("source id must be a non-empty string, got %r" % (source_id,))
    path = os.path.join(sources_dir(), source_id + ".jsonl")
    if os.path.isfile(path):
        return path
    if source_id.endswith(".jsonl") and os.path.isfile(source_id):
        return source_id  # a hand-edited recipe may name a file directly
    avail = list_sources()
    import difflib
    hint = difflib.get_close_matches(source_id, avail, n=1)
    msg = "unknown source %r: available sources are %s (folder %s)" % (
        source_id, ", ".join(avail) if avail else "none", sources_dir())
    if hint:
        msg += "; did you mean %r?" % hint[0]
    raise SourceNotFound(msg)


def iter_source(source_id, limit=None, tag=True):
    """Yield the records (dicts) of a staged source; malformed lines are skipped and counted."""
    path = _source_path(source_id)  # resolved now, so a wrong id fails at the call, not later
    return _iter_records(source_id, path, limit, tag)


def _iter_records(source_id, path, limit, tag):
    """The generator behind iter_source (stats and funnel line on close)."""
    stats = {"path": path, "lines": 0, "records": 0, "malformed": 0, "first_malformed_line": None}
    _SOURCE_STATS[source_id] = stats
    loads = json.loads
    lines = good = bad = 0
    first_bad = None
    try:
        # surrogateescape: invalid UTF-8 must not abort the whole file; such lines count as malformed
        with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                lines += 1
                try:
                    rec = loads(line)
                except ValueError:
                    if line.strip():
                        bad += 1
                        first_bad = first_bad or lines
                    else:
                        lines -= 1  # blank lines are not records
                    continue
                if type(rec) is not dict:
                    bad += 1
                    first_bad = first_bad or lines
                    continue
                if not line.isascii():
                    try:
                        line.encode("utf-8")
                    except UnicodeEncodeError:
                        bad += 1
                        first_bad = first_bad or lines
                        continue
                if tag and "_source" not in rec:
                    rec["_source"] = source_id
                good += 1
                yield rec
                if limit is not None and good >= limit:
                    break
    finally:
        stats.update(lines=lines, records=good, malformed=bad, first_malformed_line=first_bad)
        extra = {"malformed": bad} if bad else {}
        if bad:
            _warn("%s: skipped %d malformed line(s), first at line %d" % (source_id, bad, first_bad))
        log_step("load:%s" % source_id, lines, good, **extra)


def load_source(source_id, limit=None, tag=True):
    """All records of a staged source as a list (see iter_source)."""
    return list(iter_source(source_id, limit=limit, tag=tag))


def source_stats():
    """Per source read so far: {"path","lines","records","malformed","first_malformed_line"}."""
    return {k: dict(v) for k, v in _SOURCE_STATS.items()}


# ---------------------------------------------------------------- fields and text

_PATH_CACHE = {}
_PATH_TOKEN = re.compile(r"\[(-?\d*)\]|([^.\[\]]+)")
_FAN = object()


def _parse_path(path):
    """Steps of a get_field path: keys, int indexes and _FAN for [] (cached)."""
    steps_ = _PATH_CACHE.get(path)
    if steps_ is None:
        steps_ = []
        for idx, key in _PATH_TOKEN.findall(path):
            if key:
                steps_.append(key)
            elif idx == "":
                steps_.append(_FAN)
            else:
                steps_.append(int(idx))
        _PATH_CACHE[path] = steps_
    return steps_


def get_field(record, path, default=None):
    """Value at a dotted path: "a.b", "options[0]", "choices[].text" ([] fans out into a list)."""
    if type(record) is dict and "." not in path and "[" not in path:
        return record.get(path, default)
    values = [record]
    fanned = False
    for st in _parse_path(path):
        nxt = []
        if st is _FAN:
            fanned = True
            for v in values:
                if isinstance(v, list):
                    nxt.extend(v)
                elif isinstance(v, dict):
                    nxt.extend(v.values())
        elif isinstance(st, int):
            for v in values:
                if isinstance(v, list) and -len(v) <= st < len(v):
                    nxt.append(v[st])
                elif isinstance(v, dict) and str(st) in v:
                    nxt.append(v[str(st)])
        else:
            for v in values:
                if isinstance(v, dict):
                    if st in v:
                        nxt.append(v[st])
                elif isinstance(v, list) and st.lstrip("-").isdigit() and -len(v) <= int(st) < len(v):
                    nxt.append(v[int(st)])
        values = nxt
        if not values:
            break
    if fanned:
        return values
    return values[0] if values else default


def _leaves(value, out):
    """Every string leaf of a JSON value, depth first, skipping _private keys."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (isinstance(k, str) and k.startswith("_")):  # toolkit-private keys are not content
                _leaves(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _leaves(v, out)
    return out


def _record_text(rec):
    """Content of a record: chat turns (user/assistant) or every string leaf of a raw record."""
    if type(rec) is dict:
        msgs = rec.get("messages")
        if isinstance(msgs, list):
            return "\n".join(m.get("content") for m in msgs
                             if isinstance(m, dict) and m.get("role") != "system"
                             and isinstance(m.get("content"), str))
    return "\n".join(_leaves(rec, []))


def _role_text(rec, role):
    """Contents of one role's turns, newline-joined; raw records give their text."""
    msgs = rec.get("messages") if type(rec) is dict else None
    if not isinstance(msgs, list):
        return _record_text(rec)
    if len(msgs) == 2:  # the common single-turn record, without a generator
        m0, m1 = msgs
        if type(m0) is dict and type(m1) is dict and m0.get("role") == "user" and m1.get("role") == "assistant":
            c = m0.get("content") if role == "user" else m1.get("content") if role == "assistant" else ""
            return c if isinstance(c, str) else ""
    return "\n".join(m.get("content") for m in msgs
                     if isinstance(m, dict) and m.get("role") == role and isinstance(m.get("content"), str))


def user_text(rec):
    """The user turns of a chat record joined by newlines (the text decontamination checks)."""
    return _role_text(rec, "user")


def assistant_text(rec):
    """The assistant turns of a chat record joined by newlines."""
    return _role_text(rec, "assistant")


def _text_getter(key, default):
    """A record -> text function from a key (None, get_field path or callable)."""
    if key is None:
        return default
    if isinstance(key, str):
        return lambda r: _stringify(get_field(r, key))
    return lambda r: _stringify(key(r))


def _stringify(v):
    """Text of any field value (None -> "", containers -> their string leaves)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return "\n".join(_leaves(v, [])) if isinstance(v, (list, tuple, dict)) else str(v)


# ---------------------------------------------------------------- filtering

def filter_records(records, predicate, step=None):
    """Keep the records for which predicate(record) is true."""
    records = _as_list(records)
    out = [r for r in records if predicate(r)]
    log_step(step or "filter_records", len(records), len(out))
    return out


def map_records(records, fn, step=None):
    """Apply fn to every record; records for which fn returns None are dropped."""
    records = _as_list(records)
    out = []
    append = out.append
    for r in records:
        y = fn(r)
        if y is not None:
            append(y)
    log_step(step or "map_records", len(records), len(out))
    return out


def _keyword_regex(kw):
    """Regex of one keyword: whole words, any whitespace inside phrases."""
    kw = kw.strip()
    pat = r"\s+".join(re.escape(part) for part in kw.split())  # "heart attack" matches across line breaks
    if re.match(r"\w", kw):
        pat = r"(?<!\w)" + pat  # word boundary only where the keyword itself starts with a word char
    if re.search(r"\w$", kw):
        pat = pat + r"(?!\w)"
    return pat


def select_by_keywords(records, keywords, fields=None, mode="any", step=None, negate=False):
    """Keep records mentioning the keywords (whole words, case-insensitive); mode "any" or "all"."""
    if isinstance(keywords, str):
        keywords = [keywords]
    kws = [k for k in keywords if isinstance(k, str) and k.strip()]
    if not kws:
        raise ValueError("select_by_keywords: no keywords given")
    if mode not in ("any", "all"):
        raise ValueError("select_by_keywords: mode must be 'any' or 'all', got %r" % (mode,))
    if isinstance(fields, str):
        fields = [fields]
    records = _as_list(records)
    if mode == "any":
        alts = sorted(kws, key=len, reverse=True)
        regs = [re.compile("|".join(_keyword_regex(k) for k in alts), re.IGNORECASE)]
    else:
        regs = [re.compile(_keyword_regex(k), re.IGNORECASE) for k in kws]

    def text(r):
        """Text searched for keywords."""
        if fields is None:
            return _record_text(r)
        return "\n".join(_stringify(get_field(r, f)) for f in fields)

    out = []
    for r in records:
        t = text(r)
        hit = all(rg.search(t) for rg in regs)
        if hit != bool(negate):
            out.append(r)
    log_step(step or "select_by_keywords", len(records), len(out), keywords=kws[:20], mode=mode)
    return out


# ---------------------------------------------------------------- chat records

# JavaScript's String.prototype.trim whitespace: the contract's "non-empty" is judged by the TS side
_JS_WS = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
         "\u2028\u2029\u202f\u205f\u3000\ufeff"
_ROLES = ("system", "user", "assistant")


def _content_ok(s):
    """A non-empty string after JavaScript-style trimming (the contract's rule)."""
    return isinstance(s, str) and s != "" and (s[0] not in _JS_WS or s.strip(_JS_WS) != "")


def to_chat(user, assistant, system=None, source=None):
    """{"messages": [system?, user, assistant], "_source": source}; ValueError on empty content."""
    for name, v in (("user", user), ("assistant", assistant)):
        if not _content_ok(v):
            raise ValueError("to_chat: %s must be a non-empty string, got %s" % (name, _preview(v)))
    msgs = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    if system is not None:
        if not _content_ok(system):
            raise ValueError("to_chat: system must be a non-empty string or None, got %s" % _preview(system))
        msgs.insert(0, {"role": "system", "content": system})
    return {"messages": msgs, "_source": source}


def _preview(v, n=80):
    """Short repr for error messages."""
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


def _is_simple_valid(rec):
    """Fast check for the common (user, assistant) record; False means "ask validate_chat"."""
    msgs = rec.get("messages") if type(rec) is dict else None
    if type(msgs) is list and len(msgs) == 2:
        m0, m1 = msgs
        return (type(m0) is dict and type(m1) is dict and m0.get("role") == "user"
                and m1.get("role") == "assistant" and _content_ok(m0.get("content"))
                and _content_ok(m1.get("content")))
    return False


def validate_chat(rec):
    """None for a valid training record (contracts.md), else a one-line reason."""
    if not isinstance(rec, dict):
        return "record is not an object"
    msgs = rec.get("messages")
    if not isinstance(msgs, list):
        return "messages: must be a list"
    if len(msgs) < 2:
        return "messages: needs at least a user and an assistant turn"
    has_user = False
    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            return "messages.%d: must be an object" % i
        role = m.get("role")
        if role not in _ROLES:
            return "messages.%d.role: must be system, user or assistant, got %s" % (i, _preview(role, 30))
        if not _content_ok(m.get("content")):
            return "messages.%d.content: must be a non-empty string" % i
        if role == "user":
            has_user = True
    if not has_user:
        return "messages: needs at least one user turn"
    if msgs[-1].get("role") != "assistant":
        return "messages: the last turn must be the assistant's"
    return None


def _coerce_chat(res, src):
    """(chat record, None) or (None, reason) for whatever build() returned."""
    if isinstance(res, tuple) or (isinstance(res, list) and res and isinstance(res[0], str)):
        if len(res) == 2:
            u, a = res
            s = None
        elif len(res) == 3:
            s, u, a = res
        else:
            return None, "build returned a %d-tuple; expected (user, assistant) or (system, user, assistant)" % len(res)
        try:
            return to_chat(u, a, system=s, source=src), None
        except ValueError as e:
            return None, str(e)
    if isinstance(res, list):
        res = {"messages": res}
    if isinstance(res, dict):
        if "messages" not in res and "user" in res and "assistant" in res:
            try:
                return to_chat(res["user"], res["assistant"], system=res.get("system"), source=src), None
            except ValueError as e:
                return None, str(e)
        err = validate_chat(res)
        if err:
            return None, err
        if res.get("_source") is None:
            res["_source"] = src
        return res, None
    return None, "build returned %s; expected a tuple, a chat dict or None" % type(res).__name__


def _standardize_loop(records, build, source, fixed, ok, append, errors, max_error_share):
    """The hot loop of standardize; returns its counters."""
    n = dropped = failed = 0
    first = first_msg = None
    for rec in records:
        n += 1
        try:
            res = build(rec)
        except Exception as e:  # a per-record failure is data noise unless it is the majority
            failed += 1
            name = type(e).__name__
            errors[name] = errors.get(name, 0) + 1
            if first is None:
                import traceback
                first = "%s\nrecord: %s" % (traceback.format_exc(), _preview(rec, 300))
                first_msg = "%s: %s" % (name, e)
            if n >= 1000 and failed > max_error_share * n:
                break
            continue
        if res is None:
            dropped += 1
            continue
        src = source if fixed else (rec.get("_source") if type(rec) is dict else None)
        if type(res) is tuple and len(res) == 2:
            u, a = res
            if ok(u) and ok(a):  # the hot path: no helper calls
                append({"messages": [{"role": "user", "content": u}, {"role": "assistant", "content": a}],
                        "_source": src})
                continue
        chat, err = _coerce_chat(res, src)
        if chat is None:
            failed += 1
            errors["InvalidChat"] = errors.get("InvalidChat", 0) + 1
            if first is None:
                first = "InvalidChat: %s\nrecord: %s" % (err, _preview(rec, 300))
                first_msg = "InvalidChat: %s" % err
            if n >= 1000 and failed > max_error_share * n:
                break
            continue
        append(chat)
    return n, dropped, failed, first, first_msg


def standardize(records, build, source=None, step=None, max_error_share=0.5):
    """Turn records into chat records with build(record) -> (user, assistant) | (system, user,
    assistant) | chat dict | None (drop). Failing records are counted and dropped; raises
    StandardizeError when more than max_error_share of them fail (a bug in build)."""
    out = []
    append = out.append
    errors = {}
    fixed = source is not None
    ok = _content_ok
    # the loop allocates only acyclic dicts/lists; cyclic GC passes over them cost ~30% of its time
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        n, dropped, failed, first, first_msg = _standardize_loop(
            records, build, source, fixed, ok, append, errors, max_error_share)
    finally:
        if gc_was_on:
            gc.enable()
    extra = {"dropped": dropped}
    if failed:
        extra["errors"] = errors
        extra["first_error"] = first_msg[:300]
    log_step(step or "standardize", n, len(out), **extra)
    if failed and failed > max_error_share * n:
        raise StandardizeError(
            "build failed on %d of %d records (%s); this looks like a bug in build(), not bad data. "
            "First failure:\n%s" % (failed, n, ", ".join("%s: %d" % kv for kv in sorted(errors.items())), first))
    if failed:
        _warn("standardize: dropped %d of %d records that build() could not convert (%s)" % (
            failed, n, ", ".join("%s: %d" % kv for kv in sorted(errors.items()))))
    return out


# ---------------------------------------------------------------- normalisation (mirrors src/data/text.ts)

def _fffd(err):
    """Codec error handler: lone surrogates become U+FFFD, as in Node."""
    # a bytes replacement: the UTF-8 codec only accepts ASCII str replacements
    return (b"\xef\xbf\xbd" * (err.end - err.start), err.end)


codecs.register_error("datachef_fffd", _fffd)

# ASCII: A-Z folded, letters and digits kept, every other ASCII byte a separator; bytes >= 0x80 kept
_ASCII_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c >= 128) else 32
    for c in range(256))
_ASCII_BYTES = bytes(range(128))
_normalize = unicodedata.normalize


def _norm_bytes(s):
    """UTF-8 of normalize_text(s), computed without a per-character regex (the hot path)."""
    if not s.isascii():
        s = _normalize("NFKC", s).lower()
        if not s.isascii():
            # only non-ASCII characters can be non-ASCII separators; blank out the non-alphanumeric ones
            others = s.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
            for ch in set(others):
                if not ch.isalnum():  # str.isalnum is exactly the regex class [^\W_]
                    s = s.replace(ch, " ")
    return b" ".join(s.encode("utf-8").translate(_ASCII_TABLE).split())


def normalize_text(s):
    """NFKC, lower case, runs of letters/digits joined by single spaces (same as src/data/text.ts)."""
    return _norm_bytes(s).decode("utf-8")


def text_hash(s):
    """First 16 hex chars of the SHA-1 of the UTF-8 string (same as textHash in src/data/text.ts)."""
    return hashlib.sha1(s.encode("utf-8", "datachef_fffd")).hexdigest()[:16]


# ---------------------------------------------------------------- exact dedup

def _dedup_parts(rec):
    """Hashable raw key of a record: the contents of its non-system turns (or its text)."""
    if type(rec) is dict:
        msgs = rec.get("messages")
        if type(msgs) is list:
            if len(msgs) == 2:
                m0, m1 = msgs
                if type(m0) is dict and type(m1) is dict and m0.get("role") != "system":
                    c0, c1 = m0.get("content"), m1.get("content")
                    if type(c0) is str and type(c1) is str:
                        return (c0, c1)
            return tuple(_stringify(m.get("content")) for m in msgs
                         if isinstance(m, dict) and m.get("role") != "system")
    return (_record_text(rec),)


def dedup_exact(records, key=None, step=None, normalize=True):
    """Drop records whose normalised key text was seen before (keeps the first). Default key:
    the user turns and the assistant turn; key may be a callable or a get_field path."""
    records = _as_list(records)
    seen = set()
    seen_raw = set()  # identical raw keys skip normalisation: exact copies are the common duplicate
    out = []
    append = out.append
    sha1 = hashlib.sha1
    nb = _norm_bytes
    get = _text_getter(key, None)
    gc_was_on = gc.isenabled()
    gc.disable()  # only acyclic tuples/bytes are created: skip the cyclic GC passes
    try:
        for r in records:
            raw = _dedup_parts(r) if get is None else get(r)
            if raw in seen_raw:
                continue
            seen_raw.add(raw)
            if normalize:
                if type(raw) is tuple:
                    h = sha1(b"\n".join([nb(p) if isinstance(p, str) else b"" for p in raw])).digest()
                else:
                    h = sha1(nb(raw)).digest()
                if h in seen:
                    continue
                seen.add(h)
            append(r)
    finally:
        if gc_was_on:
            gc.enable()
    log_step(step or "dedup_exact", len(records), len(out), removed=len(records) - len(out))
    return out


# ---------------------------------------------------------------- near dedup (MinHash-LSH)

class _MinHasher(object):
    """k-permutation MinHash with all permutations evaluated at once on packed integers.

    Permutation i maps a 24-bit shingle hash x to ((a_i*x + b_i) mod 2^24) >> 8. The 128 products
    sit in 48-bit fields of one Python int, so one multiply hashes a shingle under every
    permutation, and a branch-free subtract/mask running minimum (a guard bit per field) keeps
    the per-field minimum: about ten big-int operations per shingle instead of 128 Python loops.
    """

    W = 48

    def __init__(self, num_perm, seed):
        """Packed permutation parameters, guard bits and masks."""
        rng = random.Random(seed)
        A = B = G = M = L15 = H16 = 0
        for i in range(num_perm):
            off = self.W * i
            A |= (rng.getrandbits(24) | 1) << off
            B |= rng.getrandbits(24) << off
            G |= 1 << (off + 24)
            M |= 0xFFFF << (off + 8)
            L15 |= 0x7FFF << (16 * i)
            H16 |= 0x8000 << (16 * i)
        self.A, self.B, self.G, self.M, self.init = A, B, G, M, G | M
        self.L15, self.H16 = L15, H16
        self.k = num_perm
        self.crc_seed = seed & 0xFFFFFFFF

    def signature(self, norm, shingle):
        """Compact signature of normalised text bytes: num_perm little-endian uint16 values."""
        crc, cs = zlib.crc32, self.crc_seed
        toks = norm.split(b" ") if norm else []
        if len(toks) <= shingle:
            hs = (crc(norm, cs) & 0xFFFFFF,)
        else:
            # a shingle is a slice of the normalised bytes: token i starts at (chars before it) + i
            starts = list(map(operator.add, accumulate(map(len, toks), initial=0), range(len(toks) + 1)))
            hs = {crc(norm[a:b], cs) & 0xFFFFFF for a, b in zip(starts, map(operator.sub, starts[shingle:], _ONES))}
        A, B, G, M = self.A, self.B, self.G, self.M
        cur = self.init
        for x in hs:
            d = cur - ((A * x + B) & M)  # guard bit survives where cur >= new value
            m = d & G
            cur -= d & (m - (m >> 16))  # subtract (cur - new) where new is smaller: a field-wise min
        raw = cur.to_bytes(self.k * 6, "little")
        sig = bytearray(self.k * 2)
        sig[0::2] = raw[1::6]
        sig[1::2] = raw[2::6]
        return bytes(sig)

    def similarity(self, s1, s2):
        """Share of equal signature values: the MinHash estimate of Jaccard similarity."""
        x = int.from_bytes(s1, "little") ^ int.from_bytes(s2, "little")
        nonzero = (((x & self.L15) + self.L15) | x) & self.H16
        return (self.k - bin(nonzero).count("1")) / self.k


_ONES = repeat(1)
_BAND_CACHE = {}


def _lsh_params(threshold, num_perm, fp_weight=0.1, fn_weight=0.9):
    """(bands, rows) minimising weighted false-positive/negative areas of the LSH S-curve. Recall
    is weighted up because every candidate pair is verified by its estimated Jaccard anyway."""
    key = (threshold, num_perm, fp_weight, fn_weight)
    if key in _BAND_CACHE:
        return _BAND_CACHE[key]

    def midpoint_powers(lo, hi):
        """Step width and, per r, the 100 midpoints of [lo, hi] raised to r (shared by every b)."""
        w = (hi - lo) / 100
        mids = [lo + (i + 0.5) * w for i in range(100)]
        return w, [None] + [[s ** r for s in mids] for r in range(1, num_perm + 1)]

    def area(b, powers, w, fn):
        """Midpoint integral of the false-positive or false-negative curve."""
        tot = 0.0
        for sr in powers:
            p = 1.0 - (1.0 - sr) ** b
            tot += (1.0 - p if fn else p) * w
        return tot

    w_fp, pow_fp = midpoint_powers(0.0, threshold)
    w_fn, pow_fn = midpoint_powers(threshold, 1.0)
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            err = fp_weight * area(b, pow_fp[r], w_fp, False) + fn_weight * area(b, pow_fn[r], w_fn, True)
            if err < best_err:
                best, best_err = (b, r), err
    _BAND_CACHE[key] = best
    return best


def dedup_near(records, key=None, shingle=5, num_perm=128, threshold=0.8, bands=None, seed=1, step=None):
    """Drop near-duplicates (MinHash-LSH on word shingles, estimated Jaccard >= threshold): a
    record is dropped when it matches an earlier record, so each cluster keeps its first."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError("dedup_near: threshold must be in (0, 1], got %r" % (threshold,))
    records = _as_list(records)
    mh = _MinHasher(num_perm, seed)
    if bands is None:
        b, r = _lsh_params(threshold, num_perm)
    else:
        b, r = bands, max(1, num_perm // bands)
    if b * r > num_perm:
        raise ValueError("dedup_near: bands * rows exceeds num_perm")
    width = 2 * r
    get = _text_getter(key, _record_text)
    buckets = [dict() for _ in range(b)]
    sigs = []
    out = []
    checked = 0
    nb = _norm_bytes
    similarity = mh.similarity
    gc_was_on = gc.isenabled()
    gc.disable()  # buckets hold only ints and lists of ints: no cycles to look for
    try:
        for idx, rec in enumerate(records):
            sig = mh.signature(nb(get(rec)), shingle)
            dup = False
            tried = None
            for j in range(b):
                bk = sig[j * width:(j + 1) * width]
                bucket = buckets[j]
                hit = bucket.get(bk)
                if hit is None:
                    bucket[bk] = idx  # a lone record is stored as an int, a list only on collision
                    continue
                if type(hit) is int:
                    hit = bucket[bk] = [hit]
                if not dup:
                    for c in hit:
                        if tried is not None and c in tried:
                            continue
                        checked += 1
                        if similarity(sig, sigs[c]) >= threshold:
                            dup = True
                            break
                        if tried is None:
                            tried = set()
                        tried.add(c)
                hit.append(idx)
            sigs.append(sig)
            if not dup:
                out.append(rec)
    finally:
        if gc_was_on:
            gc.enable()
    log_step(step or "dedup_near", len(records), len(out), removed=len(records) - len(out),
             threshold=threshold, bands=b, rows=r, num_perm=num_perm, shingle=shingle, candidates_checked=checked)
    return out


# ---------------------------------------------------------------- length filters

def _length_getter(role, field):
    """A record -> length function for the length filters."""
    if field is not None:
        return lambda rec: len(_stringify(get_field(rec, field)))
    if role not in _ROLES:
        raise ValueError("role must be 'user', 'assistant' or 'system', got %r" % (role,))
    return lambda rec: len(_role_text(rec, role))


def filter_length(records, role="assistant", min_chars=1, max_chars=None, step=None, field=None):
    """Keep records whose role text (or field) has min_chars <= length <= max_chars characters."""
    records = _as_list(records)
    length = _length_getter(role, field)
    lo = min_chars or 0
    hi = float("inf") if max_chars is None else max_chars
    out = [rec for rec in records if lo <= length(rec) <= hi]
    log_step(step or "filter_length", len(records), len(out), role=field or role, min_chars=min_chars,
             max_chars=max_chars)
    return out


def filter_outliers(records, role="assistant", z=3.0, quantiles=None, step=None, field=None, log=True):
    """Drop length outliers: |z-score| of log length above z, or outside the (lo, hi) quantiles."""
    records = _as_list(records)
    length = _length_getter(role, field)
    lens = [length(rec) for rec in records]
    extra = {"role": field or role}
    if len(records) < 10:
        keep = list(records)
        extra["skipped"] = "fewer than 10 records"
    elif quantiles is not None:
        qlo, qhi = quantiles
        srt = sorted(lens)
        lo_v = srt[min(len(srt) - 1, max(0, int(math.floor(qlo * (len(srt) - 1)))))]
        hi_v = srt[min(len(srt) - 1, max(0, int(math.ceil(qhi * (len(srt) - 1)))))]
        keep = [rec for rec, n in zip(records, lens) if lo_v <= n <= hi_v]
        extra.update(min_chars=lo_v, max_chars=hi_v, quantiles=[qlo, qhi])
    else:
        vals = [math.log1p(n) for n in lens] if log else [float(n) for n in lens]
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        if sd == 0:
            keep = list(records)
        else:
            keep = [rec for rec, v in zip(records, vals) if abs(v - mean) / sd <= z]
        bound = (lambda v: int(round(math.expm1(v)))) if log else (lambda v: int(round(v)))
        extra.update(z=z, min_chars=max(0, bound(mean - z * sd)), max_chars=bound(mean + z * sd))
    log_step(step or "filter_outliers", len(records), len(keep), **extra)
    return keep


# ---------------------------------------------------------------- decontamination

_NGRAM_CACHE = {}


def load_benchmark_ngrams(path=None):
    """The benchmark fingerprints (benchmark_ngrams.json, built by src/verify/ngrams.ts), or None."""
    path = path or os.environ.get("DATACHEF_BENCHMARK_NGRAMS") or "benchmark_ngrams.json"
    if not os.path.isfile(path):
        return None
    st = os.stat(path)
    ck = (os.path.abspath(path), st.st_mtime, st.st_size)
    if ck not in _NGRAM_CACHE:
        with open(path, "r", encoding="utf-8") as f:
            fp = json.load(f)
        for k in ("n", "segments", "segmentItem", "index"):
            if k not in fp:
                raise ValueError("%s is not a benchmark fingerprint file (missing %r)" % (path, k))
        _NGRAM_CACHE.clear()
        _NGRAM_CACHE[ck] = fp
    return _NGRAM_CACHE[ck]


def _substantial(fp, seg, shared):
    """Whether `shared` n-grams of segment `seg` are a substantial part of its benchmark item:
    at least minShared of them, or a segment holding at least minSegmentShare of the item's
    n-grams (a short heading above a long table is no leak; a short question is)."""
    item_grams = fp.get("itemGrams")
    if item_grams is None:
        return True
    item = fp["segmentItem"][seg]
    return shared >= fp.get("minShared", 8) or fp["segments"][seg] >= fp.get("minSegmentShare", 0.1) * item_grams[item]


def contamination_of(text, fingerprints, overlap=None):
    """(contaminated, benchmark_index, overlap): the best coverage of one benchmark segment's
    n-grams by the text, contaminated when a segment is covered at >= overlap by enough shared
    n-grams to be a substantial part of its item (same rule as contaminationOf in
    src/verify/ngrams.ts)."""
    fp = fingerprints
    thr = fp.get("overlap", 0.5) if overlap is None else overlap
    n = fp["n"]
    toks = _norm_bytes(text).split()
    if len(toks) < n:
        return False, -1, 0.0
    index = fp["index"]
    segs = fp["segments"]
    seg_item = fp["segmentItem"]
    sha1 = hashlib.sha1
    counts = {}
    for g in {b" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}:
        hit = index.get(sha1(g).hexdigest()[:16])
        if hit:
            for s in hit:
                counts[s] = counts.get(s, 0) + 1
    best_seg, best, bad = -1, 0.0, False
    for s, c in counts.items():
        cov = c / segs[s]
        qualifies = cov >= thr and _substantial(fp, s, c)
        if (qualifies and not bad) or (qualifies == bad and (cov > best or (cov == best and s < best_seg))):
            best_seg, best, bad = s, cov, qualifies
    if best_seg < 0:
        return False, -1, 0.0
    return bad, seg_item[best_seg], best


def decontaminate(records, fingerprints=None, overlap=None, step=None, key=None):
    """Drop records whose user turn covers >= overlap of a benchmark segment's n-grams. Without a
    fingerprint file it warns and returns the records unchanged."""
    records = _as_list(records)
    fp = fingerprints
    if fp is None or isinstance(fp, str):
        fp = load_benchmark_ngrams(fp)
    if fp is None:
        _warn("no benchmark fingerprints (benchmark_ngrams.json): decontamination skipped")
        log_step(step or "decontaminate", len(records), len(records), skipped=True)
        return list(records)
    get = _text_getter(key, user_text)
    out = []
    examples = []
    for i, rec in enumerate(records):
        bad, bidx, cov = contamination_of(get(rec), fp, overlap)
        if bad:
            if len(examples) < 5:
                examples.append({"index": i, "benchmark_index": bidx, "overlap": round(cov, 3)})
        else:
            out.append(rec)
    removed = len(records) - len(out)
    log_step(step or "decontaminate", len(records), len(out), removed=removed, ngram=fp["n"],
             overlap=fp.get("overlap", 0.5) if overlap is None else overlap, examples=examples)
    return out


# ---------------------------------------------------------------- mixing and sampling

def mix(groups, weights=None, total=None, seed=0, replace="auto", step=None):
    """Weighted mixture of {name: records} with `total` records, shuffled. Each group gives
    total*w/sum(w) records, without replacement when it has enough; replace="auto" repeats a too
    small group's records (each as evenly as possible), replace="never" gives its shortfall to the
    other groups instead. Records without _source are tagged with their group name."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError("mix: groups must be a non-empty dict {name: records}")
    if replace not in ("auto", "never"):
        raise ValueError("mix: replace must be 'auto' or 'never'")
    groups = {k: _as_list(v) for k, v in groups.items()}
    if weights is None:
        weights = {k: 1.0 for k in groups}
    unknown = [k for k in weights if k not in groups]
    if unknown:
        raise ValueError("mix: weights name unknown groups %s (groups: %s)" % (unknown, list(groups)))
    w = {k: float(weights.get(k, 0.0)) for k in groups}
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError("mix: weights must be >= 0 with a positive sum")
    if total is None:
        total = sum(len(v) for k, v in groups.items() if w[k] > 0)
    total = int(total)
    quota = _largest_remainder(total, w)
    if replace == "never":
        # hand each full group's shortfall to groups with spare records, by weight
        for _ in range(len(groups)):
            short = sum(max(0, quota[k] - len(groups[k])) for k in groups)
            if short == 0:
                break
            for k in groups:
                quota[k] = min(quota[k], len(groups[k]))
            spare = {k: w[k] for k in groups if w[k] > 0 and quota[k] < len(groups[k])}
            if not spare:
                break
            add = _largest_remainder(short, spare)
            for k, v in add.items():
                quota[k] += v
        for k in groups:
            quota[k] = min(quota[k], len(groups[k]))
    rng = random.Random(seed)
    out = []
    repeated = {}
    for k, recs in groups.items():
        q = quota[k]
        if q <= 0 or not recs:
            continue
        full, rest = divmod(q, len(recs))
        picked = list(recs) * full + [recs[i] for i in sorted(rng.sample(range(len(recs)), rest))]
        if full:
            repeated[k] = q - len(recs)
        for rec in picked:
            if type(rec) is dict and rec.get("_source") is None:
                rec["_source"] = k
        out.extend(picked)
    rng.shuffle(out)
    n_in = sum(len(v) for v in groups.values())
    log_step(step or "mix", n_in, len(out), quotas=quota, sizes={k: len(v) for k, v in groups.items()},
             repeated=repeated)
    return out


def _largest_remainder(total, weights):
    """Integer quotas summing to total, proportional to weights."""
    s = sum(weights.values())
    raw = {k: total * v / s for k, v in weights.items()}
    q = {k: int(math.floor(v)) for k, v in raw.items()}
    left = total - sum(q.values())
    for k in sorted(raw, key=lambda k: (q[k] - raw[k], list(raw).index(k)))[:left]:
        q[k] += 1
    return q


def sample(records, n, seed=0, step=None):
    """n records drawn without replacement (all when n >= len), in their original order."""
    records = _as_list(records)
    n = max(0, int(n))
    if n >= len(records):
        out = list(records)
    else:
        out = [records[i] for i in sorted(random.Random(seed).sample(range(len(records)), n))]
    log_step(step or "sample", len(records), len(out), seed=seed)
    return out


def shuffle(records, seed=0, step=None):
    """A shuffled copy of the records (deterministic for a seed)."""
    out = list(records)
    random.Random(seed).shuffle(out)
    log_step(step or "shuffle", len(out), len(out), seed=seed)
    return out


def concat(*lists, step=None):
    """All records of several lists (or iterables) in order."""
    parts = [_as_list(x) for x in lists]
    out = [r for part in parts for r in part]
    log_step(step or "concat", len(out), len(out), parts=[len(x) for x in parts])
    return out


# ---------------------------------------------------------------- output

# UTF-8 output stays readable for non-English tasks; records are trees, so the circular check is skipped
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _meta_path(path):
    """data.jsonl -> data.meta.jsonl."""
    base = path[:-6] if path.endswith(".jsonl") else path
    return base + ".meta.jsonl"


def dump_jsonl(records, path=None, step=None):
    """Write {"messages": ...} lines to data.jsonl (keys starting with _ go to the line-aligned
    data.meta.jsonl as {"source": ...}); invalid records are skipped with a warning. Atomic.
    Returns the number of records written."""
    path = path or output_path()
    meta_path = _meta_path(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp, tmp_meta = "%s.tmp-%d" % (path, os.getpid()), "%s.tmp-%d" % (meta_path, os.getpid())
    encode = _ENCODER.encode
    meta_cache = {}
    n = written = 0
    invalid = []
    try:
        # backslashreplace turns a lone surrogate inside a JSON string into a valid \\udXXX escape
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f, \
                open(tmp_meta, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fm:
            buf, mbuf = [], []
            for rec in records:
                n += 1
                err = None if _is_simple_valid(rec) else validate_chat(rec)
                if err:
                    if len(invalid) < 3:
                        invalid.append("record %d: %s" % (n - 1, err))
                    continue
                buf.append(encode({"messages": rec["messages"]}))
                src = rec.get("_source")
                extra = [k for k in rec if isinstance(k, str) and k[:1] == "_" and k != "_source"]
                if extra:
                    meta = {"source": src}
                    meta.update((k[1:], rec[k]) for k in extra)
                    mbuf.append(json.dumps(meta, ensure_ascii=False, default=str))
                else:
                    try:
                        line = meta_cache.get(src)
                    except TypeError:
                        line = None
                    if line is None:
                        line = json.dumps({"source": src}, ensure_ascii=False, default=str)
                        try:
                            meta_cache[src] = line
                        except TypeError:
                            pass
                    mbuf.append(line)
                written += 1
                if len(buf) >= 4096:
                    f.write("\n".join(buf) + "\n")
                    fm.write("\n".join(mbuf) + "\n")
                    buf, mbuf = [], []
            if buf:
                f.write("\n".join(buf) + "\n")
                fm.write("\n".join(mbuf) + "\n")
        if n and not written:
            raise ValueError("dump_jsonl: none of the %d records is a valid chat record (%s); build them with "
                             "to_chat() or standardize()" % (n, invalid[0]))
        os.replace(tmp, path)
        os.replace(tmp_meta, meta_path)
    finally:
        for p in (tmp, tmp_meta):
            if os.path.exists(p):
                os.remove(p)
    if n - written:
        _warn("dump_jsonl: skipped %d invalid record(s): %s" % (n - written, "; ".join(invalid)))
    log_step(step or "dump_jsonl", n, written, invalid=n - written, path=path)
    return written


# ---------------------------------------------------------------- LLM helpers

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n?(.*?)```", re.S)
_JSON_START = re.compile(r"[\[{]")


def _first_json(s, dec):
    """First decodable JSON object/array in s, or None."""
    pos = 0
    for _ in range(2000):  # bounded: model text with many stray braces must not take forever
        m = _JSON_START.search(s, pos)
        if not m:
            return None
        try:
            v, _end = dec.raw_decode(s, m.start())
            return v
        except ValueError:
            pos = m.start() + 1
    return None


def extract_json(text):
    """The first JSON object or array in model text (```json fences first), or None."""
    if not isinstance(text, str):
        return None
    dec = json.JSONDecoder()
    for m in _FENCE.finditer(text):
        v = _first_json(m.group(1), dec)
        if v is not None:
            return v
    return _first_json(text, dec)


_LLM_USAGE = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _unix_http_connection(sock_path, timeout):
    """HTTP over a unix socket (the bridge may be one)."""
    import http.client
    import socket

    class _UnixHTTPConnection(http.client.HTTPConnection):
        """An HTTP connection over a unix socket."""
        def connect(self):
            """Connect to the socket instead of TCP."""
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            s.connect(sock_path)
            self.sock = s

    return _UnixHTTPConnection("localhost", timeout=timeout)


def _bridge_post(bridge, body, timeout):
    """POST body to the LLM bridge; returns (status, raw body)."""
    import http.client
    from urllib.parse import urlsplit
    if bridge.startswith("unix:"):
        conn = _unix_http_connection(bridge[5:], timeout)
        target = "/"
    else:
        u = urlsplit(bridge)
        if u.scheme != "http" or u.hostname not in _LOOPBACK:
            raise LLMError("DATACHEF_LLM_BRIDGE must be http://127.0.0.1:PORT or unix:/path, got %r" % bridge)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
        target = (u.path or "/") + ("?" + u.query if u.query else "")
    try:
        conn.request("POST", target, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException) as e:
        raise LLMError("LLM bridge %s unreachable: %s" % (bridge, e))
    finally:
        conn.close()


def generate_with_llm(prompt, system=None, parser=None, max_tokens=None, temperature=None, retries=0,
                      timeout=None):
    """Text from the host LLM bridge (parser(text) when given; a parser error retries up to
    `retries` times). Raises NoModelConfigured without a bridge, LLMBudgetExceeded on HTTP 429."""
    bridge = os.environ.get("DATACHEF_LLM_BRIDGE")
    if not bridge:
        raise NoModelConfigured(
            "no model configured: set DATACHEF_MODEL (and an OpenAI-compatible endpoint) so datachef "
            "starts its LLM bridge, or remove the generate_with_llm step from the recipe")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("generate_with_llm: prompt must be a non-empty string")
    body = json.dumps({"system": system, "prompt": prompt, "max_tokens": max_tokens,
                       "temperature": temperature}).encode("utf-8")
    timeout = timeout or float(os.environ.get("DATACHEF_LLM_TIMEOUT", "300"))
    attempt = 0
    while True:
        status, raw = _bridge_post(bridge, body, timeout)
        try:
            data = json.loads(raw.decode("utf-8", "replace")) if raw else {}
        except ValueError:
            data = {"error": raw[:200].decode("utf-8", "replace")}
        if not isinstance(data, dict):
            data = {"error": "unexpected response %s" % _preview(data)}
        if status == 429:
            raise LLMBudgetExceeded("LLM budget exceeded: %s" % (data.get("error") or "the bridge refused the call"))
        if status != 200 or data.get("error"):
            raise LLMError("LLM bridge error (HTTP %d): %s" % (status, data.get("error") or _preview(data)))
        text = data.get("text")
        if not isinstance(text, str):
            raise LLMError("LLM bridge response has no text: %s" % _preview(data))
        usage = data.get("usage") or {}
        _LLM_USAGE["calls"] += 1
        for k in ("prompt_tokens", "completion_tokens"):
            if isinstance(usage.get(k), (int, float)):
                _LLM_USAGE[k] += int(usage[k])
        if parser is None:
            return text
        try:
            return parser(text)
        except Exception:
            if attempt >= retries:
                raise
            attempt += 1


def llm_usage():
    """Calls and tokens used through generate_with_llm in this process."""
    return dict(_LLM_USAGE)
