import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fillTemplate, placeholders, PromptError, renderChatPrompt, renderPrompt } from "./prompts.js";

describe("prompt templates", () => {
  it("fills placeholders in one pass and errors on a missing one", () => {
    expect(fillTemplate("a {{x}} b {{ y }}", { x: 1, y: "{{x}}" })).toBe("a 1 b {{x}}");
    expect(() => fillTemplate("{{x}} {{y}}", { x: 1 }, "t")).toThrow(PromptError);
    expect(() => fillTemplate("{{x}} {{y}}", { x: 1 }, "t")).toThrow("prompt 't': no value for {{y}}");
    expect(placeholders("{{a}} {{b}} {{a}}")).toEqual(["a", "b"]);
  });

  it("expands includes and splits system and user parts", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "prompts-"));
    writeFileSync(path.join(dir, "part.md"), "rule about {{topic}}\n");
    writeFileSync(path.join(dir, "main.md"), "<<<system>>>\nYou are X.\n{{> part}}\n<<<user>>>\nDo {{topic}}.\n");
    expect(renderChatPrompt("main", { topic: "math" }, dir)).toEqual({ system: "You are X.\nrule about math", user: "Do math." });
    writeFileSync(path.join(dir, "loop.md"), "{{> loop}}");
    expect(() => renderPrompt("loop", {}, dir)).toThrow(/nested too deeply/);
    expect(() => renderPrompt("../etc/passwd", {}, dir)).toThrow(/may only use/);
  });

  const common = {
    task_id: "t", domain: "math", instruction: "Solve.", benchmark_name: "B", benchmark_description: "d", metric: "acc",
    contract: "- answer format: x", system_prompt: "s", benchmark_examples: "e", sources: "### source `a`", source_ids: "a",
    max_records: 100, commercial: "no restriction", feedback: "", toolkit: "dc.x()", plan: "## Training Data",
  };

  it("renders every shipped prompt with the variables the agents pass", () => {
    expect(renderChatPrompt("planner", { ...common, output_format: renderPrompt("planner-format-json", common) }).user).toContain('"training_data"');
    expect(renderChatPrompt("planner", { ...common, output_format: renderPrompt("planner-format-md", common) }).user).toContain("## Data Processing Workflow");
    const coder = renderChatPrompt("coder", common);
    expect(coder.system).toContain("dc.x()");
    expect(coder.system).toMatch(/Never use benchmark data/);
    expect(coder.user).toContain("### check.py");
    const repair = renderChatPrompt("repair", { ...common, attempt: 1, failed_phase: "recipe.py", error_kind: "missing_field", error_message: "KeyError: 'q'", traceback_tail: "tb", stderr_tail: "err", recipe: "r", check: "c" });
    expect(repair.user).toContain("Error kind: missing_field");
    expect(repair.user).toContain("KeyError: 'q'");
    const chef = renderChatPrompt("chef", common);
    expect(chef.user).toContain("## Training Data");
    expect(chef.user).toContain("### recipe.py");
    const judge = renderChatPrompt("judge", { ...common, sample: "[user]\nq\n\n[assistant]\na" });
    for (const g of ["A (invalid)", "B (format error)", "C (incorrect)", "D (task mismatch)", "E (pass)"]) expect(judge.system).toContain(g);
    expect(judge.system).toContain("\\boxed{<letter>}");
  });

  it("states the rules in the planner, coder and chef prompts", () => {
    for (const name of ["planner", "coder", "chef"]) {
      const p = renderChatPrompt(name, { ...common, output_format: "" }).system;
      expect(p).toMatch(/Use only the sources listed/);
      expect(p).toMatch(/Never use benchmark data/);
      expect(p).toMatch(/Match the benchmark's format/);
      expect(p).toMatch(/Embed every piece of context/);
    }
  });
});
