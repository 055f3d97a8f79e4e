import { PairingIndex, pairingFeatures } from "./pairing.js";

const benchmark = [
  "Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. How much does she make selling the rest at $2 each?",
  "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?",
  "Josh buys a house for $80,000 and puts in $50,000 in repairs. This increased the value by 150%. How much profit did he make?",
  "James runs 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week?",
  "Every day, Wendi feeds each of her chickens three cups of mixed chicken feed. She has 20 chickens. How many cups in the final meal?",
  "Kylar went to the store to buy glasses. One glass costs $5, but every second glass costs only 60% of the price. How much does he pay for 16 glasses?",
  "Toulouse has twice as many sheep as Charleston. Charleston has 4 times as many sheep as Seattle. Seattle has 20 sheep. How many sheep in all?",
  "Carla is downloading a 200 GB file at 2 GB per minute, but a restart costs 20 minutes. How long does the download take?",
];

describe("pairingFeatures", () => {
  it("keeps content words, numbers and bigrams, and expands number words on request", () => {
    const f = pairingFeatures("She eats three eggs", true);
    expect(f.has("eggs")).toBe(true);
    expect(f.has("3")).toBe(true);
    expect(f.has("eats three")).toBe(true);
    expect(f.has("she")).toBe(false);
    expect(pairingFeatures("She eats three eggs").has("3")).toBe(false);
  });
});

describe("PairingIndex", () => {
  const index = new PairingIndex(benchmark);
  const question = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?";
  const own = "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May.\n#### 72";
  const foreign = "Weng earns 12/60 = $0.2 per minute of babysitting.\nWorking 50 minutes, she earned 0.2 x 50 = $10.\n#### 10";

  it("says an answer fits its own question", () => {
    const r = index.check(own, question);
    expect(r.checkable).toBe(true);
    expect(r.fits).toBe(true);
    expect(r.own).toBeGreaterThan(r.distractorP90);
  });
  it("says an answer moved to another question does not fit", () => {
    const r = index.check(foreign, question);
    expect(r.checkable).toBe(true);
    expect(r.fits).toBe(false);
  });
  it("does not judge answers too short to tell", () => {
    const r = index.check("72", question);
    expect(r.checkable).toBe(false);
    expect(r.fits).toBe(true);
    expect(r.why).toMatch(/too short/);
  });
  it("has no opinion without benchmark inputs", () => {
    const r = new PairingIndex([]).check(own, question);
    expect(r).toMatchObject({ checkable: false, fits: true });
  });
});
