import { Limiter, mapConcurrent } from "./limit.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Limiter", () => {
  it("never runs more than the limit at once and keeps result order", async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(5 + (i % 3));
      active--;
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it("releases its slot when a task throws", async () => {
    const l = new Limiter(1);
    await expect(l.run(async () => { throw new Error("x"); })).rejects.toThrow("x");
    await expect(l.run(async () => 7)).resolves.toBe(7);
    expect(l.peak).toBe(1);
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
