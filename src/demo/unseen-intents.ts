/**
 * Unseen-schema task 3: smart-home voice-command intents. Sources are mostly CSV (a header with
 * spaces, a JSON-in-a-cell column, Title Case label words) plus nested JSONL and Parquet.
 */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { capitalize, TOWNS } from "./words.js";
import { writeCsv, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/intents";

export const INTENTS = ["turn_on_lights", "turn_off_lights", "set_timer", "play_music", "check_weather", "add_to_shopping_list", "lock_door", "set_thermostat"] as const;
type Intent = (typeof INTENTS)[number];

const ROOMS = ["kitchen", "living room", "bedroom", "hallway", "garage", "bathroom", "office", "porch"];
const ARTISTS = ["some jazz", "the Beatles", "lo-fi beats", "Nina Simone", "my workout playlist", "classical piano", "80s pop", "Fleetwood Mac"];
const ITEMS = ["oat milk", "eggs", "paper towels", "basil", "coffee beans", "dish soap", "apples", "rice"];
const DOORS = ["front door", "back door", "garage door", "side gate"];

interface Command {
  text: string;
  intent: Intent;
  slots: Record<string, string | number>;
}

type Maker = (r: Rng) => { text: string; slots: Record<string, string | number> };

const MAKERS: Record<Intent, Maker[]> = {
  turn_on_lights: [
    (r) => { const room = r.pick(ROOMS); return { text: `turn on the lights in the ${room}`, slots: { room } }; },
    (r) => { const room = r.pick(ROOMS); return { text: `can you switch the ${room} lights on`, slots: { room } }; },
    (r) => { const room = r.pick(ROOMS); return { text: `it's too dark in the ${room}`, slots: { room } }; },
  ],
  turn_off_lights: [
    (r) => { const room = r.pick(ROOMS); return { text: `turn off the ${room} lights`, slots: { room } }; },
    (r) => { const room = r.pick(ROOMS); return { text: `lights off in the ${room} please`, slots: { room } }; },
    (r) => { const room = r.pick(ROOMS); return { text: `kill the lights in the ${room}`, slots: { room } }; },
  ],
  set_timer: [
    (r) => { const minutes = r.int(1, 90); return { text: `set a timer for ${minutes} minutes`, slots: { minutes } }; },
    (r) => { const minutes = r.int(2, 45); return { text: `remind me in ${minutes} minutes to check the oven`, slots: { minutes } }; },
    (r) => { const minutes = r.pick([5, 10, 15, 20, 30]); return { text: `start a ${minutes} minute countdown`, slots: { minutes } }; },
  ],
  play_music: [
    (r) => { const what = r.pick(ARTISTS); return { text: `play ${what}`, slots: { what } }; },
    (r) => { const what = r.pick(ARTISTS); const room = r.pick(ROOMS); return { text: `put on ${what} in the ${room}`, slots: { what, room } }; },
    (r) => { const what = r.pick(ARTISTS); return { text: `I want to listen to ${what}`, slots: { what } }; },
  ],
  check_weather: [
    (r) => { const city = r.pick(TOWNS); return { text: `what's the weather like in ${city} today`, slots: { city } }; },
    (r) => { const day = r.pick(["tomorrow", "this weekend", "on Friday"]); return { text: `do I need an umbrella ${day}`, slots: { day } }; },
    (r) => { const city = r.pick(TOWNS); return { text: `how cold will it get in ${city} tonight`, slots: { city } }; },
  ],
  add_to_shopping_list: [
    (r) => { const item = r.pick(ITEMS); return { text: `add ${item} to my shopping list`, slots: { item } }; },
    (r) => { const item = r.pick(ITEMS); return { text: `we're out of ${item}, put it on the list`, slots: { item } }; },
    (r) => { const item = r.pick(ITEMS); const n = r.int(2, 6); return { text: `add ${n} packs of ${item} to the grocery list`, slots: { item, quantity: n } }; },
  ],
  lock_door: [
    (r) => { const door = r.pick(DOORS); return { text: `lock the ${door}`, slots: { door } }; },
    (r) => { const door = r.pick(DOORS); return { text: `did I lock the ${door}? lock it now`, slots: { door } }; },
    (r) => { const door = r.pick(DOORS); return { text: `secure the ${door} for the night`, slots: { door } }; },
  ],
  set_thermostat: [
    (r) => { const degrees = r.int(16, 26); return { text: `set the heating to ${degrees} degrees`, slots: { degrees } }; },
    (r) => { const degrees = r.int(16, 26); const room = r.pick(ROOMS); return { text: `make the ${room} ${degrees} degrees`, slots: { degrees, room } }; },
    (r) => { const degrees = r.int(17, 24); return { text: `it's freezing, bump the thermostat up to ${degrees}`, slots: { degrees } }; },
  ],
};

const PREFIXES = ["", "", "", "hey home, ", "ok house ", "um, "];
/** Politeness only fits commands that start with a verb ("could you lock ..."). */
const POLITE = ["please ", "could you "];
const SUFFIXES = ["", "", "", " please", " thanks", " right now", "?"];

export function command(r: Rng, intent: Intent = r.pick(INTENTS)): Command {
  const m = r.pick(MAKERS[intent])(r);
  const imperative = /^(turn|kill|set|remind|start|play|put|add|lock|secure|make)\b/.test(m.text);
  const prefix = imperative && r.chance(0.25) ? r.pick(POLITE) : r.pick(PREFIXES);
  return { text: `${prefix}${m.text}${r.pick(SUFFIXES)}`.trim(), intent, slots: m.slots };
}

/** "set_timer" -> "Set Timer": how the voice-log team writes labels. */
const labelWords = (i: Intent) => i.split("_").map(capitalize).join(" ");

const CHITCHAT = [
  ["how are you today", "I'm doing great, thanks for asking!"],
  ["tell me a joke", "Why did the thermostat go to therapy? It had too many mood swings."],
  ["what's your favorite color", "I like all the colors of a good sunset."],
  ["good night", "Good night! Sleep well."],
  ["who made you", "I was built by a small team of engineers."],
  ["are you listening to me", "Only when you say my wake word."],
  ["what is the meaning of life", "Many say it is about the people you share it with."],
  ["sing me a song", "La la la... I'm better at playing music than singing it."],
] as const;

export async function writeIntentTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const taken = new Set<string>();
  const fresh = (r: Rng, n: number) => distinct(n, () => command(r), (c) => normalizeText(c.text), taken);

  const bench = fresh(rng.fork("intents/benchmark"), scaled(120, scale));
  await writeJsonl(path.join(root, DIR, "benchmark.jsonl"), bench.map((c) => ({ utterance: c.text, intent: c.intent })));

  const logs = fresh(rng.fork("intents/voice"), scaled(500, scale));
  await writeCsv(path.join(root, DIR, "voice_logs.csv"), ["Utterance", "Intent Label"], logs.map((c) => ({ Utterance: c.text, "Intent Label": labelWords(c.intent) })));

  const ann = fresh(rng.fork("intents/annotated"), scaled(400, scale));
  await writeCsv(
    path.join(root, DIR, "annotated_commands.csv"),
    ["id", "text", "slots_json", "intent"],
    ann.map((c, i) => ({ id: i + 1, text: c.text, slots_json: JSON.stringify(c.slots), intent: c.intent })),
  );

  const dlgRng = rng.fork("intents/dialogs");
  const dlg = fresh(dlgRng, scaled(300, scale));
  await writeJsonl(
    path.join(root, DIR, "dialog_turns.jsonl"),
    dlg.map((c) => ({
      turns: [
        { speaker: "user", text: c.text },
        { speaker: "assistant", text: dlgRng.pick(["Okay, done.", "Sure thing.", "On it.", "All set."]) },
      ],
      annotation: { intent: c.intent, slots: c.slots },
    })),
  );

  const tblRng = rng.fork("intents/table");
  const tbl = fresh(tblRng, scaled(300, scale));
  await writeParquet(
    path.join(root, DIR, "command_table.parquet"),
    tbl.map((c) => ({ u: c.text, labels: [c.intent], meta: { locale: tblRng.pick(["en-US", "en-GB", "en-AU"]), device: tblRng.pick(["speaker", "phone", "display"]) } })),
  );

  const chatRng = rng.fork("intents/chitchat");
  const chat = Array.from({ length: scaled(150, scale) }, () => {
    const [line, reply] = chatRng.pick(CHITCHAT);
    return { line: `${chatRng.pick(PREFIXES)}${line}`.trim(), reply };
  });
  await writeCsv(path.join(root, DIR, "chitchat.csv"), ["line", "reply"], chat);

  return {
    id: "unseen_home_intents",
    domain: "intent classification",
    instruction: `Adapt a base LLM to map a spoken smart-home command to its intent. Answer with exactly one intent label: ${INTENTS.slice(0, -1).join(", ")} or ${INTENTS.at(-1)}.`,
    benchmark: {
      id: "unseen_home_intents_test",
      name: "Smart-home intents",
      description: "Held-out voice commands (utterance) with their intent label (snake_case).",
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the intent label",
      rows: bench.length,
    },
    sources: [
      {
        id: "voice_logs", file: `${DIR}/voice_logs.csv`, role: "in-domain", license: "CC-BY-4.0", rows: logs.length,
        description: "In-domain: transcribed voice logs as CSV with columns 'Utterance' and 'Intent Label'; labels are Title Case words (e.g. 'Set Timer').",
      },
      {
        id: "annotated_commands", file: `${DIR}/annotated_commands.csv`, role: "in-domain", license: "CC-BY-NC-4.0", rows: ann.length,
        description: "In-domain: annotated commands as CSV (id, text, slots_json with the slot values as a JSON string, intent).",
      },
      {
        id: "dialog_turns", file: `${DIR}/dialog_turns.jsonl`, role: "in-domain", license: "Apache-2.0", rows: dlg.length,
        description: "In-domain: assistant dialogs as nested JSONL: turns (list of {speaker, text}), annotation{intent, slots}.",
      },
      {
        id: "command_table", file: `${DIR}/command_table.parquet`, role: "in-domain", license: "MIT", rows: tbl.length,
        description: "In-domain: command table in Parquet: u (utterance), labels (list whose single element is the intent), meta{locale, device}.",
      },
      {
        id: "chitchat", file: `${DIR}/chitchat.csv`, role: "off-domain", license: "CC0-1.0", rows: chat.length,
        description: "Off-domain: small-talk lines and replies as CSV (line, reply); none of them is a device command.",
      },
    ],
    maxRecords: 1500,
  };
}
