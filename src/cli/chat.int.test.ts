/**
 * `datachef chat` in a real pseudo-terminal (tmux): list tasks, cook with inline approval, a
 * follow-up question about a dropped source, kill -9 at the approval prompt, and resume with
 * --thread from the SQLite checkpoint.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemoPool } from "../demo/generate.js";
import { REPO_ROOT } from "../recipe/paths.js";

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const describeTmux = hasTmux() ? describe : (console.warn("SKIPPED datachef chat pty test: tmux is missing (scripts/ensure-system-deps.sh installs it)"), describe.skip);

describeTmux("datachef chat in a pseudo-terminal", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-chat-"));
  const sock = `dc-chat-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", sock, ...args], { encoding: "utf8" });
  let pool: string;
  let session = "";

  const screen = () => {
    try {
      return tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", session);
    } catch {
      return "";
    }
  };
  const send = (text: string) => {
    tmux("send-keys", "-t", session, "-l", text);
    tmux("send-keys", "-t", session, "Enter");
  };
  /** Waits until the screen, after `from` characters, matches. Returns the match. */
  async function waitFor(re: RegExp, timeoutMs = 60_000, from = 0): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = screen().slice(from).match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; screen:\n${screen().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  function start(name: string, args: string[]) {
    session = name;
    const cmd = ["exec", "node", path.join(REPO_ROOT, "bin", "datachef.js"), "chat", ...args].map((a) => (/^[\w./@:=-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
    tmux("new-session", "-d", "-s", name, "-x", "220", "-y", "60", "-c", REPO_ROOT, cmd);
    tmux("set-option", "-t", name, "remain-on-exit", "on");
  }

  beforeAll(async () => {
    pool = path.join(root, "demo");
    await generateDemoPool(pool);
  });

  afterAll(() => {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
    rmSync(root, { recursive: true, force: true });
  });

  test("list, cook with approval, why-dropped, kill -9 at the prompt, resume with --thread", async () => {
    const common = ["--db", path.join(root, "chat.sqlite"), "--tasks-dir", path.join(pool, "tasks"), "--runs-dir", path.join(root, "runs"), "--samples", "30", "--seed", "1"];
    start("first", [...common, "--thread", "t1"]);
    await waitFor(/datachef chat · thread t1/);
    await waitFor(/you>\s*$/m);

    send(`what tasks are there in ${path.join(pool, "tasks")}?`);
    await waitFor(/3 task spec\(s\) in .*\n(.*\n)*.*demo_math_word +math/);

    let mark = screen().length;
    send("cook demo_math_word");
    await waitFor(/Plan for demo_math_word:\n(.*\n)*.* use +\S+ +\d+ records/, 60_000, mark);
    await waitFor(/approve\? \[approve \/ reject/, 10_000, mark);
    send("approve");
    const done = await waitFor(/✅ demo_math_word: status ok, reward (\d\.\d{3})(.*\n)*.*Dropped sources: ([\w-]+)/, 90_000, mark);
    const dropped = done[3]!;
    await waitFor(/Most common failure reasons/, 5_000, mark);
    await waitFor(/you>\s*$/m, 10_000, mark);

    mark = screen().length;
    send(`why did you drop source ${dropped}?`);
    await waitFor(new RegExp(`I dropped ${dropped} from demo_math_word: `), 20_000, mark);

    // a second cook, killed with SIGKILL while its plan waits for approval
    mark = screen().length;
    send("cook");
    await waitFor(/approve\? \[approve \/ reject/, 60_000, mark);
    const pid = Number(tmux("display-message", "-p", "-t", session, "#{pane_pid}").trim());
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, "SIGKILL");
    await waitFor(/Pane is dead|exited|signal 9/i, 10_000, mark).catch(() => undefined);

    start("second", [...common, "--thread", "t1"]);
    await waitFor(/resuming thread t1: a plan is waiting for your approval/);
    await waitFor(/approve\? \[approve \/ reject/);
    send("reject");
    await waitFor(/rejected: nothing was run or written/);
    mark = screen().length;
    // the conversation's state survived the kill: the first plan still answers
    send(`why did you drop source ${dropped}?`);
    await waitFor(new RegExp(`I dropped ${dropped}`), 20_000, mark);
    send("exit");
    await waitFor(/bye · resume with: datachef chat --thread t1/, 10_000);
  }, 240_000);
});
