/**
 * The durable rollout store. One row per rollout, keyed by (group_id, idx): writing a rollout
 * that is already stored keeps the stored one (unless it had failed), so a collection killed at
 * any point and started again loses nothing and duplicates nothing.
 *
 * The interface is async and narrow so another backend can implement it: the SQL below is plain
 * (INSERT ... ON CONFLICT DO UPDATE ... WHERE is the same in Postgres), see docs/rl.md.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { GroupStats } from "./advantages.js";
import type { GroupRecord, RolloutRecord, TaskInstance } from "./types.js";

export interface GroupResult {
  stats: GroupStats | null;
  flags: string[];
  method: string;
  complete: boolean;
  /** Advantage per rollout index (indices not named keep theirs). */
  advantages: Map<number, number>;
}

export interface RolloutFilter {
  collection?: string;
  groupId?: string;
  /** Only rollouts with a reward (status other than "failed"). */
  scored?: boolean;
}

export interface RolloutStore {
  readonly location: string;
  putInstance(instance: TaskInstance): Promise<void>;
  getInstance(instanceId: string): Promise<TaskInstance | undefined>;
  listInstances(): Promise<TaskInstance[]>;
  /** Registers a group; an existing group keeps its row. */
  putGroup(group: GroupRecord): Promise<void>;
  listGroups(collection?: string): Promise<GroupRecord[]>;
  /** Indices of the group's rollouts that are done (stored with a status other than "failed"). */
  doneIndices(groupId: string): Promise<number[]>;
  /** "inserted", "replaced" (a failed row was retried) or "kept" (already done: not written). */
  putRollout(rollout: RolloutRecord): Promise<"inserted" | "replaced" | "kept">;
  listRollouts(filter?: RolloutFilter): Promise<RolloutRecord[]>;
  setGroupResult(groupId: string, result: GroupResult): Promise<void>;
  count(filter?: RolloutFilter): Promise<number>;
  close(): Promise<void>;
}

export const STORE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  instance_id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  task_path TEXT NOT NULL,
  sources TEXT NOT NULL,
  augmented INTEGER NOT NULL,
  prompt TEXT
);
CREATE TABLE IF NOT EXISTS groups (
  group_id TEXT PRIMARY KEY,
  collection TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  policy TEXT NOT NULL,
  seed INTEGER NOT NULL,
  method TEXT NOT NULL,
  stats TEXT,
  flags TEXT NOT NULL DEFAULT '[]',
  complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rollouts (
  group_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  collection TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  policy TEXT NOT NULL,
  model TEXT,
  seed INTEGER NOT NULL,
  temperature REAL NOT NULL,
  prompt TEXT NOT NULL,
  trajectory TEXT NOT NULL,
  completion TEXT NOT NULL,
  reward REAL,
  reward_parts TEXT NOT NULL,
  status TEXT NOT NULL,
  advantage REAL,
  timings TEXT NOT NULL,
  error TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  wall_ms INTEGER NOT NULL,
  run_dir TEXT,
  PRIMARY KEY (group_id, idx)
);
CREATE INDEX IF NOT EXISTS rollouts_collection ON rollouts (collection);
`;

interface RolloutRow {
  group_id: string;
  idx: number;
  collection: string;
  instance_id: string;
  task_id: string;
  policy: string;
  model: string | null;
  seed: number;
  temperature: number;
  prompt: string;
  trajectory: string;
  completion: string;
  reward: number | null;
  reward_parts: string;
  status: string;
  advantage: number | null;
  timings: string;
  error: string | null;
  started_at: string;
  finished_at: string;
  wall_ms: number;
  run_dir: string | null;
}

function toRow(r: RolloutRecord): RolloutRow {
  return {
    group_id: r.groupId,
    idx: r.index,
    collection: r.collection,
    instance_id: r.instanceId,
    task_id: r.taskId,
    policy: r.policy,
    model: r.model ?? null,
    seed: r.seed,
    temperature: r.temperature,
    prompt: JSON.stringify(r.prompt),
    trajectory: JSON.stringify(r.trajectory),
    completion: r.completion,
    reward: r.reward,
    reward_parts: JSON.stringify(r.rewardParts),
    status: r.status,
    advantage: r.advantage,
    timings: JSON.stringify(r.timings),
    error: r.error ?? null,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    wall_ms: Math.round(r.wallMs),
    run_dir: r.runDir ?? null,
  };
}

function fromRow(row: RolloutRow): RolloutRecord {
  return {
    groupId: row.group_id,
    index: row.idx,
    collection: row.collection,
    instanceId: row.instance_id,
    taskId: row.task_id,
    policy: row.policy,
    ...(row.model ? { model: row.model } : {}),
    seed: row.seed,
    temperature: row.temperature,
    prompt: JSON.parse(row.prompt),
    trajectory: JSON.parse(row.trajectory),
    completion: row.completion,
    reward: row.reward,
    rewardParts: JSON.parse(row.reward_parts),
    status: row.status as RolloutRecord["status"],
    advantage: row.advantage,
    timings: JSON.parse(row.timings),
    ...(row.error ? { error: row.error } : {}),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    wallMs: row.wall_ms,
    ...(row.run_dir ? { runDir: row.run_dir } : {}),
  };
}

function where(filter: RolloutFilter = {}): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (filter.collection) {
    parts.push("collection = ?");
    args.push(filter.collection);
  }
  if (filter.groupId) {
    parts.push("group_id = ?");
    args.push(filter.groupId);
  }
  if (filter.scored) parts.push("status <> 'failed'");
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", args };
}

export class StoreError extends Error {
  override name = "StoreError";
}

/** SQLite through better-sqlite3, in WAL mode: a killed writer never corrupts committed rows. */
export class SqliteRolloutStore implements RolloutStore {
  private readonly db: Database.Database;

  constructor(readonly location: string) {
    if (location !== ":memory:") mkdirSync(path.dirname(path.resolve(location)), { recursive: true });
    try {
      this.db = new Database(location);
    } catch (e) {
      throw new StoreError(`${location}: cannot open the rollout store (${(e as Error).message})`);
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // a second process (an export while collecting) waits instead of failing
    this.db.pragma("busy_timeout = 10000");
    try {
      this.db.exec(SCHEMA);
    } catch (e) {
      throw new StoreError(`${location}: not a datachef rollout store (${(e as Error).message})`);
    }
    const v = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    if (!v) this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(STORE_SCHEMA_VERSION));
    else if (Number(v.value) !== STORE_SCHEMA_VERSION) throw new StoreError(`${location}: store schema version ${v.value} is not supported (expected ${STORE_SCHEMA_VERSION})`);
  }

  async putInstance(i: TaskInstance): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO instances (instance_id, task_id, task_path, sources, augmented, prompt) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (instance_id) DO UPDATE SET prompt = COALESCE(excluded.prompt, instances.prompt)`,
      )
      .run(i.instanceId, i.taskId, i.taskPath, JSON.stringify(i.sources), i.augmented ? 1 : 0, i.prompt ? JSON.stringify(i.prompt) : null);
  }

  private instanceOf(row: { instance_id: string; task_id: string; task_path: string; sources: string; augmented: number; prompt: string | null }): TaskInstance {
    return {
      instanceId: row.instance_id,
      taskId: row.task_id,
      taskPath: row.task_path,
      sources: JSON.parse(row.sources),
      augmented: !!row.augmented,
      ...(row.prompt ? { prompt: JSON.parse(row.prompt) } : {}),
    };
  }

  async getInstance(instanceId: string): Promise<TaskInstance | undefined> {
    const row = this.db.prepare("SELECT * FROM instances WHERE instance_id = ?").get(instanceId) as Parameters<SqliteRolloutStore["instanceOf"]>[0] | undefined;
    return row ? this.instanceOf(row) : undefined;
  }

  async listInstances(): Promise<TaskInstance[]> {
    return (this.db.prepare("SELECT * FROM instances ORDER BY instance_id").all() as Parameters<SqliteRolloutStore["instanceOf"]>[0][]).map((r) => this.instanceOf(r));
  }

  async putGroup(g: GroupRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO groups (group_id, collection, instance_id, task_id, size, policy, seed, method, stats, flags, complete)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id) DO NOTHING`,
      )
      .run(g.groupId, g.collection, g.instanceId, g.taskId, g.size, g.policy, g.seed, g.method, g.stats ? JSON.stringify(g.stats) : null, JSON.stringify(g.flags), g.complete ? 1 : 0);
  }

  async listGroups(collection?: string): Promise<GroupRecord[]> {
    const rows = (collection ? this.db.prepare("SELECT * FROM groups WHERE collection = ? ORDER BY rowid").all(collection) : this.db.prepare("SELECT * FROM groups ORDER BY rowid").all()) as {
      group_id: string;
      collection: string;
      instance_id: string;
      task_id: string;
      size: number;
      policy: string;
      seed: number;
      method: string;
      stats: string | null;
      flags: string;
      complete: number;
    }[];
    return rows.map((r) => ({
      groupId: r.group_id,
      collection: r.collection,
      instanceId: r.instance_id,
      taskId: r.task_id,
      size: r.size,
      policy: r.policy,
      seed: r.seed,
      method: r.method,
      stats: r.stats ? JSON.parse(r.stats) : null,
      flags: JSON.parse(r.flags),
      complete: !!r.complete,
    }));
  }

  async doneIndices(groupId: string): Promise<number[]> {
    return (this.db.prepare("SELECT idx FROM rollouts WHERE group_id = ? AND status <> 'failed' ORDER BY idx").all(groupId) as { idx: number }[]).map((r) => r.idx);
  }

  async putRollout(r: RolloutRecord): Promise<"inserted" | "replaced" | "kept"> {
    const row = toRow(r);
    const cols = Object.keys(row);
    const put = this.db.transaction(() => {
      const before = this.db.prepare("SELECT status FROM rollouts WHERE group_id = ? AND idx = ?").get(r.groupId, r.index) as { status: string } | undefined;
      if (before && before.status !== "failed") return "kept" as const;
      // only a failed row may be overwritten: a done rollout is never replaced or duplicated
      this.db
        .prepare(
          `INSERT INTO rollouts (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})
           ON CONFLICT (group_id, idx) DO UPDATE SET ${cols.filter((c) => c !== "group_id" && c !== "idx").map((c) => `${c} = excluded.${c}`).join(", ")}
           WHERE rollouts.status = 'failed'`,
        )
        .run(row);
      return before ? ("replaced" as const) : ("inserted" as const);
    });
    return put.immediate();
  }

  async listRollouts(filter?: RolloutFilter): Promise<RolloutRecord[]> {
    const w = where(filter);
    return (this.db.prepare(`SELECT * FROM rollouts ${w.sql} ORDER BY collection, group_id, idx`).all(...w.args) as RolloutRow[]).map(fromRow);
  }

  async setGroupResult(groupId: string, res: GroupResult): Promise<void> {
    const tx = this.db.transaction(() => {
      this.db.prepare("UPDATE groups SET stats = ?, flags = ?, method = ?, complete = ? WHERE group_id = ?").run(res.stats ? JSON.stringify(res.stats) : null, JSON.stringify(res.flags), res.method, res.complete ? 1 : 0, groupId);
      const upd = this.db.prepare("UPDATE rollouts SET advantage = ? WHERE group_id = ? AND idx = ?");
      for (const [idx, a] of res.advantages) upd.run(a, groupId, idx);
    });
    tx.immediate();
  }

  async count(filter?: RolloutFilter): Promise<number> {
    const w = where(filter);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM rollouts ${w.sql}`).get(...w.args) as { n: number }).n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Opens the store at `location` (a file path; ":memory:" for tests). */
export function openRolloutStore(location: string): RolloutStore {
  if (/^postgres(ql)?:\/\//.test(location)) throw new StoreError(`${location}: a Postgres store is not built in yet; docs/rl.md describes the path. Use a SQLite file.`);
  return new SqliteRolloutStore(location);
}
