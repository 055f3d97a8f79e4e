/**
 * Multi-step arithmetic word problems from templates. Every problem carries its worked solution
 * as steps of the form `a <op> b = c` computed here, so the arithmetic is correct by
 * construction and checkable afterwards (`checkArithmetic`).
 */
import type { Rng } from "./rng.js";
import { capitalize, person, twoPeople, TOWNS } from "./words.js";

export interface MathProblem {
  topic: string;
  /** School grade the problem suits (2-6). */
  grade: number;
  /** The situation, without the question sentence. */
  context: string;
  /** The question sentence. */
  query: string;
  /** Worked solution, one sentence per step; each holds one `a op b = c`. */
  steps: string[];
  answer: number;
  unit: string;
}

type Op = "+" | "-" | "*" | "/";

export function applyOp(a: number, op: Op, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
  }
}

/** Numbers as people write them: integers plain, decimals without float noise. */
export function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/** Collects solution steps while computing them, so text and value cannot drift apart. */
export class Work {
  readonly steps: string[] = [];
  calc(a: number, op: Op, b: number, say: (expr: string) => string): number {
    const exact = applyOp(a, op, b);
    // Rounded to 6 decimals so 40 * 1.1 is stored as 44, not 44.00000000000001.
    const c = Number(exact.toFixed(6));
    // Results must be exact in short decimals, or the printed step would be rounded (wrong).
    if (Math.abs(exact * 10000 - Math.round(exact * 10000)) > 1e-6) throw new Error(`inexact result ${a} ${op} ${b}`);
    this.steps.push(say(`${fmtNum(a)} ${op} ${fmtNum(b)} = ${fmtNum(c)}`));
    return c;
  }
}

export function mathQuestion(p: MathProblem): string {
  return `${p.context} ${p.query}`;
}

/** GSM8K-like answer: the steps, one per line, then `#### <number>`. */
export function markerAnswer(p: MathProblem): string {
  return `${p.steps.join("\n")}\n#### ${fmtNum(p.answer)}`;
}

type Template = (r: Rng) => MathProblem;

const STATIONERY = [
  ["notebooks", "pens"],
  ["sketchbooks", "markers"],
  ["folders", "pencils"],
  ["binders", "erasers"],
] as const;

const shopping: Template = (r) => {
  const p = person(r);
  const [big, small] = r.pick(STATIONERY);
  const a = r.int(2, 9), price = r.int(2, 12), b = r.int(2, 12), q = r.int(1, 5);
  const w = new Work();
  const x = w.calc(a, "*", price, (e) => `${p.name}'s ${big} cost ${e} dollars.`);
  const y = w.calc(b, "*", q, (e) => `The ${small} cost ${e} dollars.`);
  const t = w.calc(x, "+", y, (e) => `Altogether ${p.name} spends ${e} dollars.`);
  const bill = [20, 50, 100, 200].find((v) => v > t)!;
  const change = w.calc(bill, "-", t, (e) => `${p.name}'s change from the $${bill} bill is ${e} dollars.`);
  const context = r.chance(0.5)
    ? `${p.name} buys ${a} ${big} for $${price} each and ${b} ${small} for $${q} each. ${capitalize(p.he)} pays with a $${bill} bill.`
    : `At the school store, ${big} cost $${price} each and ${small} cost $${q} each. ${p.name} picks ${a} ${big} and ${b} ${small} and hands the cashier $${bill}.`;
  const query = r.pick([`How much change does ${p.he} get back?`, `How many dollars of change should ${p.name} receive?`]);
  return { topic: "shopping", grade: 3, context, query, steps: w.steps, answer: change, unit: "dollars" };
};

const VEHICLES = ["bus", "train", "truck", "ferry", "delivery van"];

const travel: Template = (r) => {
  const v = r.pick(VEHICLES);
  const [from, to] = r.sample(TOWNS, 2);
  const s1 = r.step(30, 90, 5), h1 = r.int(2, 5), s2 = r.step(30, 90, 5), h2 = r.int(2, 4);
  const w = new Work();
  const d1 = w.calc(s1, "*", h1, (e) => `Leaving ${from}, the ${v} covers ${e} km.`);
  const d2 = w.calc(s2, "*", h2, (e) => `On the way to ${to} it covers ${e} km more.`);
  const total = w.calc(d1, "+", d2, (e) => `In total the ${v} travels ${e} km toward ${to}.`);
  const context = `A ${v} leaves ${from} and travels at ${s1} km per hour for ${h1} hours. After a short stop it continues toward ${to} at ${s2} km per hour for another ${h2} hours.`;
  if (r.chance(0.5)) {
    const trip = total + r.step(20, 300, 10);
    const left = w.calc(trip, "-", total, (e) => `The distance still to go to ${to} is ${e} km.`);
    return {
      topic: "travel", grade: 4, context: `${context} The whole route from ${from} to ${to} is ${trip} km long.`,
      query: `How many kilometers does the ${v} still have to travel?`, steps: w.steps, answer: left, unit: "km",
    };
  }
  return { topic: "travel", grade: 4, context, query: `How many kilometers does the ${v} travel altogether?`, steps: w.steps, answer: total, unit: "km" };
};

const GOODS = ["boxes", "parcels", "gift bags", "crates", "jars of jam"];

const workRate: Template = (r) => {
  const [p, q] = twoPeople(r);
  const g = r.pick(GOODS);
  const r1 = r.int(4, 20), r2 = r.int(3, 18), h = r.int(2, 8);
  const w = new Work();
  const rate = w.calc(r1, "+", r2, (e) => `Together ${p.name} and ${q.name} pack ${e} ${g} per hour.`);
  if (r.chance(0.5)) {
    const total = w.calc(rate, "*", h, (e) => `In ${h} hours ${p.name} and ${q.name} pack ${e} ${g}.`);
    return {
      topic: "work rate", grade: 4,
      context: `${p.name} can pack ${r1} ${g} per hour and ${q.name} can pack ${r2} ${g} per hour. They work side by side for ${h} hours.`,
      query: `How many ${g} do ${p.name} and ${q.name} pack in total?`, steps: w.steps, answer: total, unit: g,
    };
  }
  const order = rate * h;
  const hours = w.calc(order, "/", rate, (e) => `${p.name} and ${q.name} need ${e} hours to finish the order.`);
  return {
    topic: "work rate", grade: 5,
    context: `A shop received an order for ${order} ${g}. ${p.name} packs ${r1} ${g} per hour and ${q.name} packs ${r2} ${g} per hour, and they work together.`,
    query: `How many hours will it take ${p.name} and ${q.name} to pack all ${order} ${g}?`, steps: w.steps, answer: hours, unit: "hours",
  };
};

const PURCHASES = ["bike", "guitar", "tablet", "pair of skates", "telescope", "camping tent"];

const savings: Template = (r) => {
  const p = person(r);
  const item = r.pick(PURCHASES);
  const weekly = r.int(5, 25), weeks = r.int(4, 16);
  const total = weekly * weeks;
  // The leftover must be even so that half of it is a whole number.
  let cost = r.int(Math.floor(total / 3), total - 2);
  if ((total - cost) % 2) cost -= 1;
  const w = new Work();
  const saved = w.calc(weekly, "*", weeks, (e) => `${p.name} saves ${e} dollars.`);
  const rest = w.calc(saved, "-", cost, (e) => `After buying the ${item}, ${p.name} has ${e} dollars left.`);
  const half = w.calc(rest, "/", 2, (e) => `${p.name} gives ${e} dollars to ${p.his} brother and keeps the same amount.`);
  return {
    topic: "savings", grade: 4,
    context: `${p.name} saves $${weekly} every week for ${weeks} weeks. Then ${p.he} buys a ${item} for $${cost} and gives half of the money that is left to ${p.his} younger brother.`,
    query: `How many dollars does ${p.name} keep?`, steps: w.steps, answer: half, unit: "dollars",
  };
};

const BAKES = ["cookies", "muffins", "cupcakes", "brownies", "cinnamon rolls"];

const baking: Template = (r) => {
  const p = person(r);
  const b = r.pick(BAKES);
  const trays = r.int(2, 6), per = r.int(6, 24), k = r.int(2, 6);
  const made = trays * per;
  const each = r.int(1, Math.max(1, Math.floor((made - 2) / (k + 1))));
  const eat = r.int(1, Math.max(1, Math.min(6, made - each * k - 1)));
  const w = new Work();
  const total = w.calc(trays, "*", per, (e) => `${p.name} bakes ${e} ${b}.`);
  const given = w.calc(each, "*", k, (e) => `${p.name} gives away ${e} ${b}.`);
  const afterGift = w.calc(total, "-", given, (e) => `That leaves ${p.name} with ${e} ${b}.`);
  const left = w.calc(afterGift, "-", eat, (e) => `After ${p.name} eats ${eat}, ${e} ${b} are left.`);
  return {
    topic: "baking", grade: 3,
    context: `${p.name} bakes ${trays} trays of ${b} with ${per} ${b} on each tray. ${capitalize(p.he)} gives ${each} ${b} to each of ${p.his} ${k} neighbors and eats ${eat} ${p.he === "she" ? "herself" : "himself"}.`,
    query: `How many ${b} are left?`, steps: w.steps, answer: left, unit: b,
  };
};

const CLOTHES = ["jacket", "pair of boots", "backpack", "raincoat", "sweater"];

const discount: Template = (r) => {
  const p = person(r);
  const item = r.pick(CLOTHES);
  const price = r.step(20, 200, 20), pct = r.pick([10, 15, 20, 25, 30, 40, 50]), n = r.int(2, 5);
  const w = new Work();
  const scaled = w.calc(price, "*", pct, (e) => `For the ${item} ${p.name} wants, multiply the price by the percentage: ${e}.`);
  const off = w.calc(scaled, "/", 100, (e) => `Dividing by 100 gives a discount of ${e} dollars.`);
  const sale = w.calc(price, "-", off, (e) => `One ${item} costs ${p.name} ${e} dollars on sale.`);
  const total = w.calc(sale, "*", n, (e) => `${p.name} pays ${e} dollars.`);
  return {
    topic: "percentages", grade: 6,
    context: `A ${item} normally costs $${price}. This week the store takes ${pct}% off the price. ${p.name} buys ${n} of them as presents.`,
    query: `How much does ${p.name} pay in dollars?`, steps: w.steps, answer: total, unit: "dollars",
  };
};

const fence: Template = (r) => {
  const l = r.int(6, 40), wd = r.int(4, 30), cost = r.int(3, 15);
  const place = r.pick(["vegetable garden", "dog run", "playground", "chicken yard", "tennis court"]);
  const owner = person(r);
  const w = new Work();
  const half = w.calc(l, "+", wd, (e) => `Half of the perimeter of ${owner.name}'s ${place} is ${e} meters.`);
  const per = w.calc(half, "*", 2, (e) => `The whole ${place} has a perimeter of ${e} meters.`);
  const total = w.calc(per, "*", cost, (e) => `At $${cost} per meter, ${owner.name} pays ${e} dollars.`);
  return {
    topic: "geometry", grade: 5,
    context: `${owner.name} has a rectangular ${place} that is ${l} meters long and ${wd} meters wide. Fencing costs $${cost} per meter.`,
    query: r.pick([`How much will ${owner.name} pay to put a fence all the way around ${owner.his} ${place}?`, `What is the cost in dollars of fencing the whole ${l} by ${wd} meter ${place}?`]),
    steps: w.steps, answer: total, unit: "dollars",
  };
};

const fuel: Template = (r) => {
  const p = person(r);
  const per100 = r.int(5, 12), hundreds = r.int(2, 9), price = r.int(1, 3);
  const [from, to] = r.sample(TOWNS, 2);
  const car = r.pick(["car", "van", "pickup truck", "camper", "old hatchback"]);
  const w = new Work();
  const k = w.calc(hundreds * 100, "/", 100, (e) => `The drive from ${from} to ${to} is ${e} stretches of 100 km.`);
  const liters = w.calc(k, "*", per100, (e) => `${p.name}'s ${car} needs ${e} liters of fuel.`);
  const cost = w.calc(liters, "*", price, (e) => `At $${price} per liter, ${p.name} pays ${e} dollars.`);
  return {
    topic: "fuel", grade: 5,
    context: `${p.name}'s ${car} uses ${per100} liters of fuel for every 100 km. Fuel costs $${price} per liter, and ${p.he} drives ${hundreds * 100} km from ${from} to ${to}.`,
    query: `How many dollars does ${p.name} spend on fuel for the drive to ${to}?`, steps: w.steps, answer: cost, unit: "dollars",
  };
};

const reading: Template = (r) => {
  const p = person(r);
  const mon = r.int(8, 30), fewer = r.int(2, 10);
  const read = mon + 2 * mon + (2 * mon - fewer);
  const book = read + r.int(15, 200);
  const genre = r.pick(["novel", "mystery novel", "biography", "fantasy book", "history book", "travel memoir", "science book"]);
  const w = new Work();
  const tue = w.calc(mon, "*", 2, (e) => `On Tuesday ${p.name} reads ${e} pages of the ${genre}.`);
  const wed = w.calc(tue, "-", fewer, (e) => `On Wednesday ${p.name} reads ${e} pages.`);
  const two = w.calc(mon, "+", tue, (e) => `Monday and Tuesday make ${e} pages for ${p.name}.`);
  const three = w.calc(two, "+", wed, (e) => `In three days ${p.name} reads ${e} pages.`);
  const left = w.calc(book, "-", three, (e) => `The ${book}-page ${genre} has ${e} pages left.`);
  return {
    topic: "reading", grade: 3,
    context: `${p.name} is reading a ${book}-page ${genre}. ${capitalize(p.he)} reads ${mon} pages on Monday, twice as many on Tuesday, and on Wednesday ${fewer} fewer than on Tuesday.`,
    // The question names the book and the reader, so no long stretch of it is fixed text.
    query: r.pick([`How many pages of the ${genre} does ${p.name} still have to read?`, `How many pages are left in ${p.name}'s ${genre}?`]),
    steps: w.steps, answer: left, unit: "pages",
  };
};

const groups: Template = (r) => {
  const size = r.int(3, 6), k = r.int(4, 10), each = r.int(2, 6);
  // `each` itself divides the need, so the list of whole-box sizes is never empty.
  const box = r.pick([2, 3, 4, 5, 6, 8, 10].filter((b) => (k * each) % b === 0));
  const students = size * k;
  const item = r.pick(["markers", "glue sticks", "rulers", "magnifying glasses", "paint brushes", "pairs of scissors"]);
  const project = r.pick(["science fair", "poster", "model bridge", "recycling", "weather station", "puppet theater"]);
  const teacher = person(r);
  const w = new Work();
  const g = w.calc(students, "/", size, (e) => `${teacher.name}'s class forms ${e} groups.`);
  const need = w.calc(g, "*", each, (e) => `The ${project} project needs ${e} ${item}.`);
  const boxes = w.calc(need, "/", box, (e) => `${teacher.name} must open ${e} boxes.`);
  return {
    topic: "division", grade: 4,
    context: `For a ${project} project, ${teacher.name} splits ${teacher.his} class of ${students} students into groups of ${size}. Every group gets ${each} ${item}, and the ${item} come in boxes of ${box}.`,
    query: `How many boxes of ${item} does ${teacher.name} need for the ${project} project?`, steps: w.steps, answer: boxes, unit: "boxes",
  };
};

const ANIMALS = [
  ["cows", 4, "chickens", 2],
  ["goats", 4, "ducks", 2],
  ["sheep", 4, "geese", 2],
  ["horses", 4, "turkeys", 2],
] as const;

const farm: Template = (r) => {
  const [four, , two] = r.pick(ANIMALS);
  const c = r.int(3, 25), h = r.int(5, 40);
  const town = r.pick(TOWNS);
  const w = new Work();
  const x = w.calc(c, "*", 4, (e) => `The ${four} near ${town} have ${e} legs.`);
  const y = w.calc(h, "*", 2, (e) => `The ${two} on the farm have ${e} legs.`);
  const total = w.calc(x, "+", y, (e) => `Together the ${four} and ${two} have ${e} legs.`);
  return {
    topic: "counting", grade: 2,
    context: `A farm near ${town} keeps ${c} ${four} and ${h} ${two}.`,
    query: `How many legs do all of these animals have together?`, steps: w.steps, answer: total, unit: "legs",
  };
};

const JOBS = ["library", "bakery", "bike shop", "animal shelter", "garden center"];

const wages: Template = (r) => {
  const p = person(r);
  const job = r.pick(JOBS);
  const hours = r.int(2, 8), days = r.int(2, 6), rate = r.int(9, 25), weeks = r.int(2, 5);
  const w = new Work();
  const perWeek = w.calc(hours, "*", days, (e) => `${p.name} works ${e} hours a week.`);
  const pay = w.calc(perWeek, "*", rate, (e) => `At the ${job}, ${p.name} earns ${e} dollars a week.`);
  const total = w.calc(pay, "*", weeks, (e) => `Over ${weeks} weeks ${p.name} earns ${e} dollars.`);
  return {
    topic: "wages", grade: 4,
    context: `${p.name} has a part-time job at the ${job}. ${capitalize(p.he)} works ${hours} hours a day, ${days} days a week, and is paid $${rate} per hour.`,
    query: `How much money does ${p.he} earn in ${weeks} weeks?`, steps: w.steps, answer: total, unit: "dollars",
  };
};

export const MATH_TEMPLATES: readonly Template[] = [shopping, travel, workRate, savings, baking, discount, fence, fuel, reading, groups, farm, wages];

export function mathProblem(r: Rng): MathProblem {
  return r.pick(MATH_TEMPLATES)(r);
}

// ---------------------------------------------------------------------------------------------
// Checking

const NUM = String.raw`\$?(-?\d+(?:\.\d+)?)`;
const EXPR = new RegExp(String.raw`${NUM}\s*([+\-*/×÷x])\s*${NUM}\s*=\s*${NUM}`, "g");

export interface ArithmeticCheck {
  /** Expressions `a op b = c` found. */
  checked: number;
  /** Of those, how many are wrong. */
  wrong: number;
}

/** Re-computes every `a op b = c` in a text. */
export function checkArithmetic(text: string): ArithmeticCheck {
  let checked = 0, wrong = 0;
  for (const m of text.matchAll(EXPR)) {
    const a = Number(m[1]), b = Number(m[3]), c = Number(m[4]);
    const sym = m[2]!;
    const op: Op = sym === "×" || sym === "x" ? "*" : sym === "÷" ? "/" : (sym as Op);
    checked++;
    if (Math.abs(applyOp(a, op, b) - c) > 1e-6 * Math.max(1, Math.abs(c))) wrong++;
  }
  return { checked, wrong };
}

/** The number after the final `####`, or null. */
export function markerNumber(text: string): number | null {
  const m = /####\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}
