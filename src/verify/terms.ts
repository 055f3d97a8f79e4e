/**
 * Terms for the judge's lexical checks. Unlike `tokens()` of src/data/text.ts (which splits
 * "1,496.5" into three tokens for n-gram hashing), numbers stay whole and canonical here, so a
 * number in a solution can be matched with the same number in its question.
 */

const TERM = /\p{N}+(?:[.,]\p{N}+)*|\p{L}+/gu;

/** "1,496.50" -> "1496.5", "07" -> "7"; other digit runs (e.g. "3.14.15") are kept as written. */
export function canonicalNumber(raw: string): string {
  const plain = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(raw) ? raw.replace(/,/g, "") : raw;
  if (!/^\d+(\.\d+)?$/.test(plain)) return plain;
  const n = Number(plain);
  return Number.isFinite(n) ? String(n) : plain;
}

/** Lower-cased words and canonical numbers, in order. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize("NFKC").toLowerCase().matchAll(TERM)) {
    const t = m[0];
    out.push(/^\p{N}/u.test(t) ? canonicalNumber(t) : t);
  }
  return out;
}

/** Number words that questions spell out and solutions write as digits. */
const NUMBER_WORDS: Record<string, string> = {
  zero: "0", one: "1", two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8",
  nine: "9", ten: "10", eleven: "11", twelve: "12", thirteen: "13", fourteen: "14", fifteen: "15",
  sixteen: "16", seventeen: "17", eighteen: "18", nineteen: "19", twenty: "20", thirty: "30",
  forty: "40", fifty: "50", sixty: "60", seventy: "70", eighty: "80", ninety: "90", hundred: "100",
  thousand: "1000", million: "1000000", dozen: "12", half: "2", twice: "2", double: "2", triple: "3",
  thrice: "3", third: "3", quarter: "4", fourth: "4", fifth: "5", once: "1", pair: "2", week: "7",
};

/** The digits a number word stands for ("three" -> "3", "dozens" -> "12"), if it is one. */
export function numberWordDigits(term: string): string | undefined {
  return NUMBER_WORDS[term] ?? NUMBER_WORDS[term.replace(/s$/, "")];
}

/** English function words: never evidence that two texts are about the same thing. */
export const STOPWORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from as into onto over under about " +
    "is are was were be been being am do does did done have has had having will would shall should can " +
    "could may might must not no nor so than too very just also only such this that these those there " +
    "here it its it's he she they them their his her we us our you your i me my mine what which who whom " +
    "whose when where why how all any both each few more most other some same own up down out off again " +
    "further once per s t let lets each every many much while because until after before between during"
  ).split(/\s+/),
);
