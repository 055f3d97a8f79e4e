import { parseMultipart } from "./langsmith-capture.js";

describe("parseMultipart", () => {
  it("splits a multipart body into named parts", () => {
    const b = "----B1";
    const body = Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="post.abc"\r\nContent-Type: application/json\r\n\r\n{"id":"abc","name":"planner"}\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="post.abc.extra"\r\nContent-Type: application/json\r\n\r\n{"metadata":{"task_id":"t"}}\r\n--${b}--\r\n`,
    );
    const parts = parseMultipart(body, `multipart/form-data; boundary=${b}`);
    expect(parts.map((p) => p.name)).toEqual(["post.abc", "post.abc.extra"]);
    expect(JSON.parse(parts[1]!.body.toString())).toEqual({ metadata: { task_id: "t" } });
    expect(parseMultipart(body, "application/json")).toEqual([]);
  });
});
