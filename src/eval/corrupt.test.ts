import { checkAnswerFormat } from "../verify/answer-format.js";
import { breakFormat, corrupt, ladderApplies, wrongAnswer } from "./corrupt.js";
import { chat, LABEL_CONTRACT, MARKER_CONTRACT, OPTION_CONTRACT } from "./testing/fixtures.js";

const labels = Array.from({ length: 40 }, (_, i) => chat(`Company ${i} reported record profits this quarter.`, ["positive", "negative", "neutral"][i % 3]!));
const user = "Where would you put a plate after washing it?\nA. cupboard\nB. table\nC. restaurant\nD. dishwasher\nE. flea market";

test("positions are nested: a larger share only adds damage", () => {
  const a = corrupt(labels, "refusal_truncation", 0.2, { contract: LABEL_CONTRACT, seed: 5 });
  const b = corrupt(labels, "refusal_truncation", 0.5, { contract: LABEL_CONTRACT, seed: 5 });
  expect(a.changed).toBe(8);
  expect(b.changed).toBe(20);
  a.records.forEach((r, i) => {
    if (r !== labels[i]) expect(b.records[i]).not.toBe(labels[i]);
  });
  expect(corrupt(labels, "refusal_truncation", 0, { contract: LABEL_CONTRACT, seed: 5 }).records).toEqual(labels);
});

test("format breaks keep the content but fail the contract's format check", () => {
  const label = breakFormat("negative", "Shares fell.", LABEL_CONTRACT)!;
  expect(label).toContain("negative");
  expect(checkAnswerFormat(label, LABEL_CONTRACT).ok).toBe(false);
  const letter = breakFormat("D", user, OPTION_CONTRACT)!;
  expect(letter).toContain("dishwasher");
  expect(checkAnswerFormat(letter, OPTION_CONTRACT).ok).toBe(false);
  const marker = breakFormat("She has 3 + 4 = 7 apples.\n#### 7", "q", MARKER_CONTRACT)!;
  expect(marker).toMatch(/7\.$/);
  expect(checkAnswerFormat(marker, MARKER_CONTRACT).ok).toBe(false);
});

test("wrong answers stay well-formed but change the final value", () => {
  const l = wrongAnswer("negative", "Shares fell.", LABEL_CONTRACT, 1)!;
  expect(["positive", "neutral"]).toContain(l);
  const o = wrongAnswer("D", user, OPTION_CONTRACT, 2)!;
  expect(o).toMatch(/^[ABCE]$/);
  const m = wrongAnswer("She has 3 + 4 = 7 apples.\n#### 7", "q", MARKER_CONTRACT, 3)!;
  const fmt = checkAnswerFormat(m, MARKER_CONTRACT);
  expect(fmt.ok).toBe(true);
  expect(fmt.ok && fmt.final).not.toBe("7");
});

test("off-domain keeps this task's system turn; duplicates copy clean records", () => {
  const pool = [chat("What is 2 + 2?", "4", "Task: other.")];
  const off = corrupt(labels, "off_domain", 1, { contract: LABEL_CONTRACT, seed: 1, pool });
  expect(off.changed).toBe(40);
  expect(off.records[0]!.messages[0]!.content).toBe("Task: test.");
  expect(off.records[0]!.messages[1]!.content).toBe("What is 2 + 2?");
  const dup = corrupt(labels, "duplicates", 0.5, { contract: LABEL_CONTRACT, seed: 1 });
  expect(dup.changed).toBe(20);
  expect(new Set(dup.records.map((r) => r.messages[1]!.content)).size).toBe(20);
});

test("ladders that cannot be built say why", () => {
  expect(ladderApplies("off_domain", LABEL_CONTRACT, false)).toMatch(/another task/);
  expect(ladderApplies("format", { ...LABEL_CONTRACT, answer: { kind: "free_text" } }, true)).toMatch(/no format/);
  expect(ladderApplies("wrong_answer", { ...LABEL_CONTRACT, answer: { kind: "code", language: "python" } }, true)).toMatch(/code/);
  expect(ladderApplies("wrong_answer", LABEL_CONTRACT, true)).toBeNull();
});

test("boxed answers: the number inside the last box changes, nothing else", () => {
  const boxed = { ...MARKER_CONTRACT, answer: { kind: "boxed" as const } };
  expect(wrongAnswer("So $x = \\boxed{\\frac{3}{4}}$.", "q", boxed, 1)).toBe("So $x = \\boxed{\\frac{3}{6}}$.");
  expect(wrongAnswer("The set is \\boxed{\\mathbb{R}}.", "q", boxed, 1)).toBeNull();
});
