"""Unit tests of the recipe helper sections (python3 -m unittest, from this folder).

The helpers import datachef_toolkit; a stub with `get_field` stands in so the sections can be
tested on their own.
"""
import os
import sys
import types
import unittest


def _get_field(rec, path, default=None):
    cur = rec
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return default
    return cur


sys.modules.setdefault("datachef_toolkit", types.SimpleNamespace(get_field=_get_field))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers as h  # noqa: E402

h.MARKER = "####"
h.LABELS = ["positive", "negative", "neutral"]
h.LABEL_MAP = {"Pos": "positive"}


class Numbers(unittest.TestCase):
    def test_parse_number(self):
        self.assertEqual(h.parse_number("72"), 72)
        self.assertEqual(h.parse_number("1,000"), 1000)
        self.assertEqual(h.parse_number("$18"), 18)
        self.assertEqual(h.parse_number(51.0), 51.0)
        self.assertEqual(h.parse_number("-3.5"), -3.5)
        self.assertIsNone(h.parse_number("3/4"))
        self.assertIsNone(h.parse_number("about 5"))
        self.assertIsNone(h.parse_number(True))

    def test_fmt_number(self):
        self.assertEqual(h.fmt_number(51.0), "51")
        self.assertEqual(h.fmt_number(0.5), "0.5")
        self.assertEqual(h.fmt_number(7), "7")

    def test_final_number_marker(self):
        n, steps = h.final_number("She sells 9 eggs.\nShe makes 18.\n#### 18")
        self.assertEqual(n, 18)
        self.assertEqual(steps, "She sells 9 eggs.\nShe makes 18.")
        self.assertEqual(h.final_number("Work.\nThe answer is 1,250.")[0], 1250)

    def test_final_number_boxed(self):
        n, steps = h.final_number("So there are $\\boxed{2}$ asymptotes.")
        self.assertEqual(n, 2)
        self.assertEqual(steps, "So there are $2$ asymptotes.")
        self.assertIsNone(h.final_number("Hence $\\boxed{\\frac{1}{2}}$.")[0])

    def test_final_number_closing_sentence(self):
        self.assertEqual(h.final_number("Each costs 135 / 20 = 6.75 dollars. Final: 6.75."), (6.75, "Each costs 135 / 20 = 6.75 dollars."))
        self.assertEqual(h.final_number("So 21000 / 1400 = 15 percent. That gives 15.")[0], 15)
        self.assertEqual(h.final_number("Mateo must open 16 / 8 = 2 boxes. Final answer: 2")[0], 2)
        self.assertIsNone(h.final_number("We met at noon. I left at 9.")[0])

    def test_final_number_leading_and_prose(self):
        self.assertEqual(h.final_number("9 (apples)")[0], 9)
        self.assertIsNone(h.final_number("I went home at 5 and slept till 9")[0])
        self.assertIsNone(h.final_number("2 + 3 = 5")[0])

    def test_boxed_number_and_unbox(self):
        self.assertEqual(h.boxed_number("x = $\\boxed{\\$18}$")[0], 18)
        self.assertIsNone(h.boxed_number("$\\boxed{x^2}$")[0])
        self.assertEqual(h.unbox("a \\boxed{\\frac{1}{2}} b"), "a \\frac{1}{2} b")

    def test_equation_and_rationale(self):
        self.assertEqual(h.equation_steps("( 76.0 - 25.0 )", 51.0), "( 76 - 25 ) = 51")
        self.assertEqual(h.equation_steps("7+2=9", 9), "7+2=9")
        self.assertEqual(h.tidy_rationale('"x = 2 * 6 = 12 answer : a"'), "x = 2 * 6 = 12")


class Options(unittest.TestCase):
    def test_shapes(self):
        self.assertEqual(h.read_options([{"label": "A", "text": "bank"}, {"label": "B", "text": "mall"}]), [("A", "bank"), ("B", "mall")])
        self.assertEqual(h.read_options({"A": "x", "B": "y"}), [("A", "x"), ("B", "y")])
        self.assertEqual(h.read_options(["x", "y", "z"]), [("A", "x"), ("B", "y"), ("C", "z")])
        self.assertEqual(h.read_options("a ) 12 , b ) 16 , c ) 18"), [("A", "12"), ("B", "16"), ("C", "18")])
        self.assertEqual(h.read_options({"opa": "x", "opb": "y"}), [("A", "x"), ("B", "y")])
        self.assertEqual(h.read_options("no options here"), [])

    def test_answers(self):
        opts = [("A", "12"), ("B", "rs . 400"), ("C", "5 / 6")]
        self.assertEqual(h.letter_of("b", opts), "B")
        self.assertIsNone(h.letter_of("E", opts))
        self.assertEqual(h.letter_from_index(2, opts), "C")
        self.assertEqual(h.letter_from_index(1, opts, base=1), "A")
        self.assertEqual(h.letter_from_text("Rs . 400", opts), "B")
        self.assertEqual(h.option_number("b", opts), 400)
        self.assertIsNone(h.option_number("c", opts))
        self.assertEqual(h.render_options(opts[:2]), "A. 12\nB. rs . 400")


class Labels(unittest.TestCase):
    def test_to_label(self):
        self.assertEqual(h.to_label("Positive"), "positive")
        self.assertEqual(h.to_label("neg"), "negative")
        self.assertEqual(h.to_label("Pos"), "positive")
        self.assertEqual(h.to_label("neutral."), "neutral")
        self.assertIsNone(h.to_label("maybe"))


class Context(unittest.TestCase):
    def test_compose(self):
        user = h.compose_user("How many?", blocks=[("Table", h.render_table([["a", "1"], ["b", "2"]]))])
        self.assertEqual(user, "Table:\na | 1\nb | 2\n\nQuestion: How many?")
        self.assertTrue(h.near_dup_key(user).startswith("How many?\nTable:"))
        self.assertEqual(h.near_dup_key("plain question"), "plain question")
        self.assertEqual(h.compose_user("How much?", before=["Each pack costs 76 dollars."]), "Each pack costs 76 dollars. How much?")
        self.assertEqual(h.compose_user("Fix it.", after=["x = 1"]), "Fix it.\n\nx = 1")

    def test_passages(self):
        self.assertEqual(h.render_passages([{"uid": "u1", "order": 1, "text": "First."}, {"text": "Second."}]), "First.\nSecond.")
        self.assertEqual(h.render_passages(["p1", "p2"]), "p1\np2")
        self.assertEqual(h.render_passages([{"title": "Costs", "sentences": ["It cost $5.", "Paid by the city."]}]), "Costs\nIt cost $5.\nPaid by the city.")
        self.assertEqual(h.render_passages([{"uid": "4202457313786d975b89fabc695c3efb", "order": 2, "text": "Body text."}]), "Body text.")


class Code(unittest.TestCase):
    def test_looks_like_code(self):
        self.assertTrue(h.looks_like_code("def f(x):\n    return x + 1"))
        self.assertFalse(h.looks_like_code("The distinct values are 3, 5 and 7."))
        self.assertFalse(h.looks_like_code("We have $x^2 = \\frac{1}{2}$ and $\\sqrt{3}$."))

    def test_split_completion(self):
        code = "import math\r\ndef area(r): \r\n\treturn math.pi * r * r"
        prompt, body = h.split_completion(code, "Compute a circle's area.", ["assert area(1) == 3.14"])
        self.assertIn("def area(r):", prompt)
        self.assertIn('""" Compute a circle\'s area.', prompt)
        self.assertIn(">>> area(1)", prompt)
        self.assertEqual(body, "    return math.pi * r * r\n")
        self.assertIsNone(h.split_completion("def f():\n    return 1\nprint(f())", "x", []))
        # A two-space body gets a two-space docstring, and the pair parses.
        prompt, body = h.split_completion("def g(s):\n  return s[::-1]", 'Reverse "s".', ["assert g('ab') == 'ba'"])
        self.assertIn('  """ Reverse "s".', prompt)
        self.assertTrue(h.compiles(prompt + body))
        self.assertFalse(h.compiles("def f(:\n  pass"))

    def test_tests_for(self):
        code = "def add(a, b):\n    return a + b"
        self.assertEqual(h.tests_for(code, ["assert add(1, 2) == 3", "\n    assert candidate() == 1\n"]), ["assert add(1, 2) == 3"])

    def test_language(self):
        self.assertFalse(h.is_language("#include <iostream>\nint main() {}", "python"))
        self.assertTrue(h.is_language("def f():\n    return 1", "python"))


class Chat(unittest.TestCase):
    def test_turn_text(self):
        conv = [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}, {"from": "human", "value": "Bye"}]
        self.assertEqual(h.turn_text(conv, "user"), "Hi?")
        self.assertEqual(h.turn_text(conv, "assistant"), "Hello.")
        self.assertEqual(h.turn_text(conv, "system"), "Be brief.")
        self.assertEqual(h.turn_text([{"role": "user", "content": "only a question"}], "assistant"), "")
        self.assertEqual(h.turn_text("not a list", "user"), "")


class Coverage(unittest.TestCase):
    def test_ensure_coverage(self):
        sel = [{"k": "a"} for _ in range(5)]
        pool = sel + [{"k": "b"}]
        out = h.ensure_coverage(list(sel), pool, key=lambda r: r["k"], wanted=["a", "b"])
        self.assertEqual(len(out), 5)
        self.assertEqual(sorted(r["k"] for r in out), ["a", "a", "a", "a", "b"])


class Io(unittest.TestCase):
    def test_require_and_explode(self):
        with self.assertRaises(KeyError) as e:
            h.require_fields("src", [{"q": 1}], ["question"])
        self.assertIn("source 'src' has no field 'question'", str(e.exception))
        rows = h.explode([{"t": 1, "qs": [{"q": "a"}, {"q": "b"}]}], "qs")
        self.assertEqual([r["item"]["q"] for r in rows], ["a", "b"])


if __name__ == "__main__":
    unittest.main()
