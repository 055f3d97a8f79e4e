"""Helper functions the built-in coder copies into recipes, section by section.

Each section starts with a line `# @helper <name>: <deps>`; the coder copies the sections a
recipe needs (and their dependencies) in file order. Sections may use the recipe's constants
(MARKER, LETTERS, LABELS, LABEL_MAP, CODE_LANGUAGE) and `dc` (datachef_toolkit). Standard
library only. test_helpers.py exercises every section.
"""
import re

import datachef_toolkit as dc

# @helper text:
def text_of(value):
    """Any field value as text: lists joined by lines, dicts by their values, None as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, dict):
        return "\n".join(t for t in (text_of(v) for v in value.values()) if t)
    if isinstance(value, (list, tuple)):
        return "\n".join(t for t in (text_of(v) for v in value) if t)
    return str(value).strip()


def answer_text(value):
    """A reference answer as one line: lists of spans joined by commas."""
    if isinstance(value, (list, tuple)):
        return ", ".join(t for t in (text_of(v) for v in value) if t)
    return text_of(value)


def fmt_number(x):
    """72.0 -> '72', 0.50 -> '0.5': numbers the way answers write them."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            return str(x)
        if x.is_integer():
            return str(int(x))
        return ("%.6f" % x).rstrip("0").rstrip(".")
    return str(x)


# @helper numbers: text
_PLAIN_NUMBER = re.compile(r"^[-+]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?%?$")


def parse_number(value):
    """A plain number ('72', '-3.5', '1,000', '$18', 51.0) as int or float, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    s = text_of(value).rstrip(".").strip()
    if not s or not re.search(r"\d", s) or not _PLAIN_NUMBER.match(s):
        return None
    s = re.sub(r"[$,%\s]", "", s)
    try:
        n = float(s)
    except ValueError:
        return None
    return int(n) if n.is_integer() and "." not in s else n


def _box_end(text, i):
    """Index of the brace closing the \\boxed{ that starts at i, else -1."""
    depth = 0
    for k in range(text.find("{", i), len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def last_boxed(text):
    """The content of the last \\boxed{...} (nested braces allowed), else None."""
    i = text.rfind("\\boxed{")
    end = _box_end(text, i) if i >= 0 else -1
    return text[text.find("{", i) + 1:end] if end >= 0 else None


def unbox(text):
    """Replaces every \\boxed{X} by X (worked steps keep the value, lose the box)."""
    out = text
    while True:
        i = out.find("\\boxed{")
        end = _box_end(out, i) if i >= 0 else -1
        if end < 0:
            return out
        out = out[:i] + out[out.find("{", i) + 1:end] + out[end + 1:]


def _latex_number(s):
    """'\\$18', '18\\%', '\\frac{1}{2}' -> a number when it is a plain one (fractions are not)."""
    s = s.strip().strip("$").replace("\\!", "").replace("\\,", "").replace("{,}", ",")
    s = re.sub(r"\\(?:text|mbox|mathrm)\{[^}]*\}", "", s).replace("\\$", "").replace("\\%", "").strip()
    s = re.sub(r"^\{(.*)\}$", r"\1", s)
    return parse_number(s)


_ANSWER_LINE = re.compile(
    r"^\s*(?:#+|final answer|the final answer is|the answer is|answer|so the answer is|therefore,? the answer is)"
    r"\s*[:=]?\s*\$?\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?)\s*(?:[a-zA-Z%]{0,12})?\s*\.?\s*$",
    re.IGNORECASE,
)


def final_number(text):
    """(number, steps) from a worked solution, or (None, text).

    Strict on purpose: a '#### 72' / 'The answer is 72' final line, a plain-number \\boxed{}, or a
    short answer that starts with its number ('9 (apples)'). Prose that merely ends in a digit
    is not an answer.
    """
    text = text_of(text)
    lines = [l for l in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        m = _ANSWER_LINE.match(lines[-1])
        if m and re.search(r"\d", m.group(1) or ""):
            n = parse_number(m.group(1))
            if n is not None:
                return n, "\n".join(lines[:-1]).strip()
    boxed = last_boxed(text)
    if boxed is not None:
        n = _latex_number(boxed)
        return (n, unbox(text).strip()) if n is not None else (None, text)
    m = re.match(r"^\s*\$?\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\b(?!\s*[-+*/^=])\s*(?:\(?[A-Za-z][A-Za-z .'-]{0,30}\)?)?\s*\.?\s*$", text)
    if m:
        return parse_number(m.group(1)), ""
    # Prose that closes with a short sentence stating the result: "... Final: 6.75." / "That gives 15."
    last = re.split(r"(?<=[.!?])\s+", text)[-1]
    nums = re.findall(r"[-+]?\$?\d[\d,]*(?:\.\d+)?", last)
    if last != text and len(last.split()) <= 8 and len(nums) == 1 and _RESULT_CUE.search(last) and not re.search(r"\d\s*[-+*/=x]\s*\d", last):
        n = parse_number(nums[0].rstrip("."))
        if n is not None:
            return n, text[: len(text) - len(last)].strip()
    return None, text


_RESULT_CUE = re.compile(r"\b(final|answer|total|gives|equals|result|so|therefore|thus)\b", re.IGNORECASE)


def boxed_number(text):
    """(number, steps) from a \\boxed{} solution whose answer is a plain number, else (None, text)."""
    text = text_of(text)
    boxed = last_boxed(text)
    n = _latex_number(boxed) if boxed is not None else None
    return (n, unbox(text).strip()) if n is not None else (None, text)


def equation_steps(equation, number):
    """'( 76.0 - 25.0 )' + 51 -> '( 76 - 25 ) = 51': an equation field as a one-line working."""
    eq = text_of(equation)
    if not eq:
        return ""
    eq = re.sub(r"(\d+)\.0\b", r"\1", eq)
    if "=" not in eq:
        eq = "%s = %s" % (eq.strip(), fmt_number(number))
    return eq.strip()


def tidy_rationale(text):
    """A rationale without wrapping quotes and without its own closing 'answer : x' phrase."""
    t = text_of(text).strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "\"'":
        t = t[1:-1].strip()
    t = re.sub(r"(?:\n|\.|;|\s)*\b(?:the\s+)?(?:correct\s+)?(?:answer|option|ans)\s*(?:is|:|=|-)?\s*\(?[a-jA-J]\)?\s*\.?\s*$", "", t, flags=re.IGNORECASE)
    return t.strip()


# @helper options: text
_INLINE_OPTION = re.compile(r"(?:^|[\s,;|])\(?([A-Ja-j])\s*[).:]\s+")
_LABEL_KEYS = ("label", "key", "letter", "id", "option", "name")
_TEXT_KEYS = ("text", "value", "content", "option", "answer", "choice", "ending", "body")


def as_letter(value):
    """'a', '(B)', 'C.', 'Answer: D' -> 'A'..'D'; anything else -> None."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*(?:(?:the\s+)?(?:correct\s+)?(?:answer|option)\s*(?:is)?\s*[:=]?\s*)?\(?([A-Za-z])\)?[.:)]?\s*$", value, re.IGNORECASE)
    return m.group(1).upper() if m else None


def read_options(value):
    """Options in any common shape -> [(letter, text)], or [] when the value holds none.

    Shapes: [{"label": "A", "text": ...}], {"A": ..., "B": ...}, ["x", "y"], "a ) x , b ) y".
    """
    if isinstance(value, str):
        marks = []
        for m in _INLINE_OPTION.finditer(value):
            letter = m.group(1).upper()
            if letter == chr(65 + len(marks)):
                marks.append((letter, m.start(), m.end()))
        if len(marks) < 2:
            return []
        out = []
        for i, (letter, _, end) in enumerate(marks):
            stop = marks[i + 1][1] if i + 1 < len(marks) else len(value)
            out.append((letter, value[end:stop].strip(" ,;|\n\t")))
        return out
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if v is not None]
        keyed = all(as_letter(str(k)) for k, _ in items)
        return [((as_letter(str(k)) if keyed else chr(65 + i)), text_of(v)) for i, (k, v) in enumerate(items)]
    if isinstance(value, (list, tuple)):
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                text_key = next((k for k in _TEXT_KEYS if k in item), None)
                label_key = next((k for k in _LABEL_KEYS if k in item and k != text_key and as_letter(str(item[k]))), None)
                if text_key is None:
                    return []
                out.append((as_letter(str(item[label_key])) if label_key else chr(65 + i), text_of(item[text_key])))
            else:
                text = text_of(item)
                m = re.match(r"^\s*\(?([A-Za-z])[).:]\s+(.*)$", text, re.DOTALL)
                if m and m.group(1).upper() == chr(65 + i):
                    text = m.group(2).strip()
                out.append((chr(65 + i), text))
        return out if len(out) >= 2 else []
    return []


def letter_of(value, options):
    """The letter an answer names, when it is one of the options (letter, index or option text)."""
    letters = [l for l, _ in options]
    letter = as_letter(value) if isinstance(value, str) else None
    return letter if letter in letters else None


def letter_from_index(value, options, base=0):
    """A 0- or 1-based option index -> its letter."""
    try:
        i = int(value) - base
    except (TypeError, ValueError):
        return None
    return options[i][0] if 0 <= i < len(options) else None


def letter_from_text(value, options):
    """An answer that repeats one option's text -> that option's letter."""
    want = " ".join(text_of(value).lower().split()).rstrip(".")
    for letter, text in options:
        if " ".join(text.lower().split()).rstrip(".") == want:
            return letter
    return letter_of(value, options)


def option_text(value, options):
    """A letter answer -> the text of that option."""
    letter = letter_of(value, options)
    return next((t for l, t in options if l == letter), None)


def option_number(value, options):
    """A letter answer -> the number written in that option ('rs . 400' -> 400), else None."""
    text = option_text(value, options)
    if text is None:
        return None
    nums = re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", text)
    rest = re.sub(r"[-+]?\d[\d,]*(?:\.\d+)?", "", text)
    # Only options that state one plain number (units allowed, fractions and formulas not).
    if len(nums) != 1 or re.search(r"[/^*:]|\d\s*\.\s*\d", rest + " " + text.replace(nums[0], "")):
        return None
    return parse_number(nums[0].replace(",", ""))


# @helper labels: text
def to_label(value):
    """A source label -> the benchmark's label word (case, prefixes, synonyms), else None."""
    raw = text_of(value)
    if raw in LABEL_MAP:
        return LABEL_MAP[raw]
    v = raw.strip().lower().rstrip(".!?,;:").strip()
    by_norm = {l.lower(): l for l in LABELS}
    if v in by_norm:
        return by_norm[v]
    words = re.split(r"[\s,.;:!]+", v)
    if words and words[0] in by_norm and len(v.split()) <= 3:
        return by_norm[words[0]]
    prefixed = [l for n, l in by_norm.items() if len(v) >= 3 and n.startswith(v)]
    return prefixed[0] if len(prefixed) == 1 else None


# @helper context: text
def render_table(rows):
    """Rows of cells -> one ' | '-separated line per row, empty rows dropped."""
    lines = []
    for row in rows or []:
        cells = [text_of(c) for c in (row if isinstance(row, (list, tuple)) else [row])]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def render_passages(value):
    """Passages as text: a string, a list of strings, or a list of paragraph objects."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        return render_table(value)
    if isinstance(value, dict) and any(isinstance(v, (list, tuple)) and v and isinstance(v[0], (list, tuple)) for v in value.values()):
        return "\n".join(render_table(v) for v in value.values() if isinstance(v, (list, tuple)))
    if isinstance(value, (list, tuple)):
        return "\n".join(p for p in (passage_text(v) for v in value) if p)
    if isinstance(value, dict):
        return passage_text(value)
    return text_of(value)


_ID_KEY = re.compile(r"^(?:id|uid|uuid|guid|idx|index|order|pid|rank|position)$|_id$|Id$")


def passage_text(item):
    """One passage: a string, or an object's heading and text lines without its ids and order."""
    if not isinstance(item, dict):
        return text_of(item)
    lines = []
    for key, v in item.items():
        if _ID_KEY.search(str(key)) or isinstance(v, (bool, int, float)) or v is None:
            continue
        t = text_of(v)
        # Hashes and uuids are bookkeeping, not text.
        if not t or (" " not in t and len(t) >= 16 and re.fullmatch(r"[\w-]+", t)):
            continue
        lines.append(t)
    return "\n".join(lines)


# @helper compose: text
def render_options(options):
    """[(letter, text)] -> 'A. text' lines."""
    return "\n".join("%s. %s" % (letter, text) for letter, text in options)


def compose_user(question, before=(), after=(), blocks=(), options=None, tests=None):
    """The user turn: context blocks, then the question (with inline inputs), options and tests."""
    before = [t for t in before if t]
    after = [t for t in after if t]
    blocks = [(title, body) for title, body in blocks if body]
    q = question
    if before:
        short = all("\n" not in t for t in before) and sum(len(t) for t in before) < 400
        q = (" " if short else "\n\n").join(before + [q])
    if after:
        q = "\n\n".join([q] + after)
    if options:
        q = q + "\n" + render_options(options)
    if tests:
        q = q + "\n\nYour code should pass these tests:\n" + "\n".join(tests)
    if blocks:
        head = "\n\n".join("%s:\n%s" % (title, body) for title, body in blocks)
        return "%s\n\nQuestion: %s" % (head, q)
    return q


def near_dup_key(user):
    """What near dedup compares: the question plus the opening of its context.

    Items that share one long passage (several questions on one table) differ in their
    question; items that share a question template differ in their context. The whole user turn
    would make the first look alike, the question alone the second.
    """
    i = user.rfind("\n\nQuestion: ")
    if i < 0:
        return user
    return user[i + 12:] + "\n" + user[:300]


# @helper code: text
def looks_like_code(s):
    """Heuristic: source code rather than prose (declarations, returns, calls, indentation)."""
    if not s or len(s.strip()) < 4:
        return False
    if "```" in s:
        return True
    strong = [
        r"^\s*(def|class|import|from\s+[\w.]+\s+import|function|const|let|var|public|private|static|#include|using\s+namespace|package|fn|func|SELECT|CREATE\s+TABLE|INSERT\s+INTO)\b",
        r"^\s*return\b",
        r"\bprint\s*\(|console\.log\(|System\.out\.|\becho\s|cout\s*<<",
        r"^\s*(if|for|while|elif|else|try|except|switch)\b.*[:{]\s*$",
    ]
    weak = [r"[;{]\s*$", r"^(?: {2,}|\t)\S", r"==|!=|\+=|:=|=>|->|&&|\|\|", r"\w+\.\w+\(", r"\w+\[[^\]\s]*\]", r"^\s*\w+\s*=\s*\S"]
    n_strong = sum(1 for p in strong if re.search(p, s, re.MULTILINE | re.IGNORECASE))
    n_weak = sum(1 for p in weak if re.search(p, s, re.MULTILINE))
    latex = len(re.findall(r"\\[a-zA-Z]+|\$", s))
    if latex >= 3 and latex > n_strong * 3:
        return False
    if n_strong >= 1 and n_strong + n_weak >= 2:
        return True
    tokens = s.split()
    words = sum(1 for w in tokens if re.match(r"^[A-Za-z]{3,}[,.]?$", w))
    return n_weak >= 2 and words / max(1, len(tokens)) < 0.6


def code_text(value):
    """Code as written: line endings normalised, outer blank lines dropped, indentation kept."""
    s = value if isinstance(value, str) else text_of(value)
    lines = s.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).rstrip()


def unfence(s):
    """The code inside the first ``` fence, or the text as is."""
    m = re.search(r"```[\w+#-]*\n(.*?)```", s, re.DOTALL)
    return m.group(1).rstrip() if m else s


def fence(s, language):
    return "```%s\n%s\n```" % (language, s.rstrip())


def is_language(code, language):
    """False only when the code clearly is another language than the benchmark's."""
    if language != "python":
        return True
    other = re.search(r"#include\s*<|\bpublic\s+(static\s+)?(class|void|int)\b|\bfunction\s+\w+\s*\(|console\.log|;\s*$|\bSELECT\b.*\bFROM\b|<\?php|\bfn\s+\w+\s*\(", code, re.MULTILINE | re.IGNORECASE)
    return not other


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [text_of(v) for v in value if text_of(v)]
    return [t for t in text_of(value).split("\n") if t.strip()]


def tests_for(code, tests):
    """The asserts that call a function the code defines (others cannot pass against it)."""
    names = re.findall(r"^\s*def\s+(\w+)\s*\(", code, re.MULTILINE)
    return [t.strip() for t in tests if any(re.search(r"\b%s\s*\(" % re.escape(n), t) for n in names)]


def split_completion(code, description, tests=()):
    """A whole Python function -> (signature + docstring prompt, body): the function-completion style.

    The target is the function the first test calls (else the last top-level def); helpers and
    imports above it stay in the prompt. None when the function is not the last top-level block.
    """
    code = code_text(code).replace("\t", "    ")
    lines = code.split("\n")
    called = None
    for t in tests:
        m = re.search(r"\b([A-Za-z_]\w*)\s*\(", re.sub(r"^\s*assert\s+(not\s+)?", "", t))
        if m:
            called = m.group(1)
            break
    defs = [i for i, l in enumerate(lines) if re.match(r"^def\s+\w+\s*\(", l)]
    if not defs:
        return None
    target = next((i for i in defs if re.match(r"^def\s+%s\s*\(" % re.escape(called or ""), lines[i])), defs[-1])
    end = target
    while end < len(lines) and not lines[end].rstrip().endswith(":"):
        end += 1
    body = lines[end + 1:]
    if any(l.strip() and not l.startswith((" ", "\t")) for l in body):
        return None
    while body and not body[0].strip():
        body.pop(0)
    body_text = "\n".join(body).rstrip()
    if not body_text.strip():
        return None
    # The docstring takes the body's indentation, or the function would not parse.
    indent = re.match(r"[ \t]*", body[0]).group(0) or "    "
    examples = []
    for t in list(tests)[:2]:
        m = re.match(r"^\s*assert\s+(.+?)\s*==\s*(.+?)\s*$", t)
        if m:
            examples.append("%s>>> %s\n%s%s" % (indent, m.group(1), indent, m.group(2)))
    description = " ".join(text_of(description).replace('"""', "'").replace("\\", "\\\\").split())
    doc = '%s""" %s\n%s%s"""' % (indent, description, ("\n".join(examples) + "\n") if examples else "", indent)
    prompt = "\n".join(lines[: end + 1]) + "\n" + doc + "\n"
    if not compiles(prompt + body_text + "\n"):
        return None
    return prompt, body_text + "\n"


def compiles(code):
    """True when the code parses as Python (compiled only, never run)."""
    try:
        compile(code, "<answer>", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


# @helper chat: text
_USER_ROLES = ("user", "human", "prompter", "customer", "question")
_ASSISTANT_ROLES = ("assistant", "gpt", "bot", "model", "chatbot", "ai", "answer")


def turn_text(turns, role):
    """A turn of a conversation's first exchange ({role|from, content|value} items): the system
    or first user turn, or the assistant's reply to it; '' when there is none."""
    system = user = None
    for t in turns if isinstance(turns, list) else []:
        if not isinstance(t, dict):
            return ""
        who = next((t[k] for k in ("role", "from", "speaker", "author") if isinstance(t.get(k), str)), "").lower()
        text = next((t[k] for k in ("content", "value", "text", "message") if isinstance(t.get(k), str)), None)
        if text is None:
            return ""
        if who == "system" and user is None:
            system = text
        elif who in _USER_ROLES and user is None:
            user = text
        elif who in _ASSISTANT_ROLES and user is not None:
            return {"system": system, "user": user, "assistant": text}.get(role) or ""
    return ""


# @helper coverage:
def ensure_coverage(selected, pool, key, wanted, seed=0):
    """Swaps records in so every wanted answer key (label or letter) appears at least once.

    Sampling can miss a rare label; the pool may still hold it. The swapped-out records come
    from the most frequent key, so the mix and the total stay as planned.
    """
    import random

    rng = random.Random(seed)
    have = {}
    for i, r in enumerate(selected):
        have.setdefault(key(r), []).append(i)
    chosen = set(id(r) for r in selected)
    for want in wanted:
        if want in have:
            continue
        spare = [r for r in pool if key(r) == want and id(r) not in chosen]
        if not spare:
            continue
        donors = max(have.values(), key=len, default=[])
        for r in rng.sample(spare, min(len(spare), 3, max(0, len(donors) - 1))):
            i = donors.pop()
            selected[i] = r
            chosen.add(id(r))
            have.setdefault(want, []).append(i)
    return selected


# @helper io:
def require_fields(source_id, records, paths):
    """Fails early, naming the field, when a mapped field is absent from every sampled record."""
    sample = records[:200]
    for path in paths:
        if sample and all(dc.get_field(r, path) in (None, "", []) for r in sample):
            raise KeyError("source '%s' has no field '%s'" % (source_id, path))


# @helper explode:
def explode(records, path):
    """One row per element of a nested list of questions, keeping the parent (its table/text)."""
    rows = []
    for rec in records:
        for item in dc.get_field(rec, path) or []:
            if isinstance(item, dict):
                rows.append({"parent": rec, "item": item})
    return rows
