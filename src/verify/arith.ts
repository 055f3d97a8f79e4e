/**
 * Checkable arithmetic in worked solutions: calculator annotations `<<48/2=24>>` and inline
 * equations `48 / 2 = 24`. Only purely numeric expressions are checked; anything with a
 * variable or a unit inside the expression, or a percent sign in an annotation, is skipped
 * rather than guessed at.
 */

/** Evaluates + - * / ^ ( ) over decimal numbers; null when the text is not such an expression. */
export function evalArithmetic(expr: string): number | null {
  const src = expr
    .replace(/\\cdot|\\times|×|⋅|·/g, "*")
    .replace(/\\div|÷/g, "/")
    .replace(/\*\*/g, "^")
    .replace(/[−–]/g, "-")
    .replace(/\$/g, "")
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
  let i = 0;
  const peek = () => {
    while (src[i] === " ") i++;
    return src[i];
  };
  const number = (): number | null => {
    const m = /^(\d+(?:\.\d+)?|\.\d+)/.exec(src.slice(i));
    if (!m) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const primary = (): number | null => {
    const c = peek();
    if (c === "(") {
      i++;
      const v = sum();
      if (peek() !== ")") return null;
      i++;
      return v;
    }
    if (c === "-") {
      i++;
      const v = power();
      return v === null ? null : -v;
    }
    return number();
  };
  const power = (): number | null => {
    const b = primary();
    if (b === null) return null;
    if (peek() === "^") {
      i++;
      const e = power();
      return e === null ? null : b ** e;
    }
    return b;
  };
  const product = (): number | null => {
    let v = power();
    for (;;) {
      if (v === null) return null;
      const c = peek();
      if (c === "*" || c === "/" || c === "x") {
        i++;
        const r = power();
        if (r === null) return null;
        v = c === "/" ? v / r : v * r;
      } else return v;
    }
  };
  const sum = (): number | null => {
    let v = product();
    for (;;) {
      if (v === null) return null;
      const c = peek();
      if (c === "+" || c === "-") {
        i++;
        const r = product();
        if (r === null) return null;
        v = c === "+" ? v + r : v - r;
      } else return v;
    }
  };
  const v = sum();
  if (v === null || peek() !== undefined || !Number.isFinite(v)) return null;
  return v;
}

/** Parses "1,234.50", "$18", "-3" as a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/^\$/, "").replace(/[−–]/g, "-").replace(/(\d),(?=\d{3}\b)/g, "$1");
  if (!/^-?(\d+(\.\d+)?|\.\d+)$/.test(t)) return null;
  return Number(t);
}

function decimalsOf(claimed: string): number {
  const m = /\.(\d+)/.exec(claimed);
  return m ? m[1]!.length : 0;
}

/**
 * Whether a claimed result matches the computed value, allowing what careful solutions do:
 * rounding to the decimals shown, whole-number floor/ceil in word problems ("10/3 = 3 boxes"),
 * and unit changes by powers of ten: a percent written as its number ("(44.1-56.7)/56.7 =
 * -22.22"), "$1/2 = 50 cents".
 */
export function resultMatches(computed: number, claimedText: string): boolean {
  const claimed = parseNumber(claimedText);
  if (claimed === null) return true;
  const candidates = [computed, computed * 100, computed / 100, computed * 1000, computed / 1000];
  return candidates.some((v) => {
    const tol = Math.max(1e-9, Math.abs(v) * 1e-6);
    if (Math.abs(v - claimed) <= tol) return true;
    const d = decimalsOf(claimedText);
    const scale = 10 ** d;
    if (Math.abs(Math.round(v * scale) / scale - claimed) <= tol || Math.abs(Math.trunc(v * scale) / scale - claimed) <= tol) return true;
    // "about 3" for 10/3: whole-number answers to non-whole quotients
    return d === 0 && !Number.isInteger(v) && Math.abs(v - claimed) < 1;
  });
}

export interface ArithmeticError {
  expression: string;
  claimed: string;
  computed: number;
}

const NUM = String.raw`\$?\d[\d,]*(?:\.\d+)?`;
const OP = String.raw`(?:[-+*/×÷^]|\*\*|\\cdot|\\times|\\div|\bx\b)`;
// A numeric expression with at least one operator, then "=", then a plain number. The
// expression must not continue something on its left (a variable, an operator, a number as in
// "1 1/2" or "24 (1 + 3)", a word like "and" in "1 and 1/4", a LaTeX command) and the result
// must not start more algebra on its right ("= 3/4", "= 6x", "= 3 1/2", "= 16 000").
const LEFT_GLUE = String.raw`(?<![\w.,%^:()\]}=<>+\-*/\\×÷·⋅−])(?<![\d=<>+\-*/×÷·⋅−^:(]\s+)(?<!\\[a-zA-Z]+\s*)(?<!\b(?:x|and|of|times|plus|minus|over|by|per|less|more|than)\s+)`;
const RIGHT_GLUE = String.raw`(?![\d,]*\.\d|[\w/^*(%!{:]|\s+\d|\s*${OP}\s*[\w(\\$])`;
const INLINE = new RegExp(
  LEFT_GLUE + String.raw`((?:\(\s*)*-?${NUM}(?:\s*\))*(?:\s*${OP}\s*(?:\(\s*)*-?${NUM}(?:\s*\))*)+)\s*=\s*(-?${NUM})` + RIGHT_GLUE,
  "gi",
);
const ANNOTATION = /<<([^<>=]+)=([^<>]*)>>/g;

/** Wrong results among `<<expr=value>>` annotations and inline `a op b = c` equations. */
export function arithmeticErrors(text: string): { checked: number; errors: ArithmeticError[] } {
  const errors: ArithmeticError[] = [];
  let checked = 0;
  const judge = (expression: string, claimed: string) => {
    // Clock times and codes ("0900-0130") are not quantities.
    if (/(^|[^\d.])0\d/.test(expression)) return;
    const v = evalArithmetic(expression);
    if (v === null || parseNumber(claimed) === null) return;
    checked++;
    if (resultMatches(v, claimed)) return;
    // Other readings a careful writer may mean: accounting negatives "(71)", and tight
    // fractions as units ("25 / 1/3" = 25 / (1/3)).
    const readings = [
      expression.replace(/\(\s*(\d[\d,.]*)\s*\)/g, "(-$1)"),
      expression.replace(/(\d+(?:\.\d+)?\/\d+(?:\.\d+)?)/g, "($1)"),
    ].filter((r) => r !== expression);
    if (readings.some((r) => {
      const alt = evalArithmetic(r);
      return alt !== null && resultMatches(alt, claimed);
    })) return;
    errors.push({ expression: expression.trim(), claimed: claimed.trim(), computed: v });
  };
  for (const m of text.matchAll(ANNOTATION)) {
    if (!m[1]!.includes("%")) judge(m[1]!, m[2]!);
  }
  // "$" before a number is currency or a LaTeX delimiter; either way not part of the arithmetic.
  const plain = text.replace(ANNOTATION, "").replace(/\$(?=[\d(-])/g, "");
  for (const m of plain.matchAll(INLINE)) judge(m[1]!, m[2]!);
  return { checked, errors };
}

/** Every number written in a text, canonical ("1,200.0" -> 1200). */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g)) {
    const v = parseNumber(m[0]);
    if (v !== null) out.push(v);
  }
  return out;
}
