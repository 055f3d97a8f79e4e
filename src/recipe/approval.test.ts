import { normalizeApproval, parseSourceList } from "./approval.js";

describe("plan approval answers", () => {
  it("reads objects, booleans and words", () => {
    expect(normalizeApproval({ action: "approve" })).toEqual({ action: "approve" });
    expect(normalizeApproval(undefined)).toEqual({ action: "approve" });
    expect(normalizeApproval(true)).toEqual({ action: "approve" });
    expect(normalizeApproval(false)).toEqual({ action: "reject" });
    expect(normalizeApproval({ action: "edit", sources: ["a", " b "] })).toEqual({ action: "edit", sources: ["a", "b"] });
    expect(normalizeApproval({ action: "edit", sources: "a and b" })).toEqual({ action: "edit", sources: ["a", "b"] });
    expect(normalizeApproval("approve")).toEqual({ action: "approve" });
    expect(normalizeApproval("Yes, go ahead")).toEqual({ action: "approve" });
    expect(normalizeApproval("reject")).toEqual({ action: "reject" });
    expect(normalizeApproval("no")).toEqual({ action: "reject" });
    expect(normalizeApproval("use only fpb_lowagree and alpaca_5k")).toEqual({ action: "edit", sources: ["fpb_lowagree", "alpaca_5k"] });
    expect(normalizeApproval("edit: a, b")).toEqual({ action: "edit", sources: ["a", "b"] });
  });

  it("never runs a plan on an answer it cannot read", () => {
    expect(normalizeApproval("maybe later")).toMatchObject({ action: "reject", note: expect.stringMatching(/unrecognised/) });
    expect(normalizeApproval({ action: "edit", sources: [] })).toMatchObject({ action: "reject" });
    expect(normalizeApproval({ foo: 1 })).toMatchObject({ action: "reject" });
    expect(normalizeApproval(42)).toMatchObject({ action: "reject" });
  });

  it("splits source lists written in words", () => {
    expect(parseSourceList("`a`, b & c plus d")).toEqual(["a", "b", "c", "d"]);
    expect(parseSourceList("the sources x_1 and y-2.")).toEqual(["x_1", "y-2"]);
  });
});
