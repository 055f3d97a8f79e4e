import { mkdtempSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileMemo, fileStamp, inodeStamp } from "./file-memo.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "file-memo-"));

describe("FileMemo", () => {
  it("builds once while the file is unchanged, again when it changes", () => {
    const file = path.join(tmp(), "a.json");
    writeFileSync(file, "1");
    const memo = new FileMemo<number>();
    let builds = 0;
    const read = () => memo.get([file], "", () => ++builds);
    expect(read()).toBe(1);
    expect(read()).toBe(1);
    writeFileSync(file, "22"); // other size
    expect(read()).toBe(2);
    writeFileSync(file, "33"); // same size: the mtime tells
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(read()).toBe(3);
    expect(read()).toBe(3);
  });

  it("sees a file replaced by rename (a new inode) as changed", () => {
    const dir = tmp();
    const file = path.join(dir, "a.json");
    writeFileSync(file, "x");
    const memo = new FileMemo<string>();
    expect(memo.get([file], "", () => "first")).toBe("first");
    const next = path.join(dir, "b.json");
    writeFileSync(next, "y");
    const st = fileStamp(file);
    renameSync(next, file);
    expect(fileStamp(file)).not.toBe(st);
    expect(memo.get([file], "", () => "second")).toBe("second");
  });

  it("keys on the extra key too", () => {
    const file = path.join(tmp(), "a");
    writeFileSync(file, "x");
    const memo = new FileMemo<string>();
    expect(memo.get([file], "n=13", () => "13")).toBe("13");
    expect(memo.get([file], "n=8", () => "8")).toBe("8");
    expect(memo.get([file], "n=13", () => "again")).toBe("13");
  });

  it("is bounded: the least recently used entry goes first", () => {
    const dir = tmp();
    const files = ["a", "b", "c"].map((n) => path.join(dir, n));
    for (const f of files) writeFileSync(f, f);
    const memo = new FileMemo<string>(2);
    memo.get([files[0]!], "", () => "a");
    memo.get([files[1]!], "", () => "b");
    memo.get([files[0]!], "", () => "a2"); // a is now the most recent
    memo.get([files[2]!], "", () => "c"); // evicts b
    expect(memo.size).toBe(2);
    expect(memo.get([files[0]!], "", () => "rebuilt")).toBe("a");
    expect(memo.get([files[1]!], "", () => "b2")).toBe("b2");
  });

  it("does not remember a failed load", async () => {
    const file = path.join(tmp(), "a");
    writeFileSync(file, "x");
    const memo = new FileMemo<Promise<string>>();
    await expect(memo.get([file], "", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await new Promise((r) => setImmediate(r));
    await expect(memo.get([file], "", async () => "ok")).resolves.toBe("ok");
  });

  it("inodeStamp follows a file through a rename; fileStamp does not", () => {
    const dir = tmp();
    const a = path.join(dir, "a");
    const b = path.join(dir, "b");
    writeFileSync(a, "content");
    const [ino, full] = [inodeStamp(a), fileStamp(a)];
    renameSync(a, b);
    expect(inodeStamp(b)).toBe(ino);
    expect(fileStamp(b)).not.toBe(full);
  });
});
