/** Word lists shared by the demo generators: people, places, products. */
import type { Rng } from "./rng.js";

export interface Person {
  name: string;
  /** Subject, object and possessive pronouns. */
  he: string;
  him: string;
  his: string;
}

const SHE = { he: "she", him: "her", his: "her" };
const HE = { he: "he", him: "him", his: "his" };

const PEOPLE: Person[] = [
  ...["Amara", "Beatriz", "Chen Li", "Dalia", "Elena", "Fatima", "Grace", "Hana", "Ingrid", "Jasmine", "Keiko", "Lucia", "Maya",
    "Nadia", "Olga", "Priya", "Rosa", "Sofia", "Tamsin", "Uma", "Valentina", "Wen", "Yara", "Zoe"].map((name) => ({ name, ...SHE })),
  ...["Aditya", "Bruno", "Carlos", "Dmitri", "Emeka", "Felix", "Gustavo", "Hiroshi", "Idris", "Jonas", "Kwame", "Liam", "Mateo",
    "Nikolai", "Omar", "Pavel", "Rafael", "Samuel", "Tariq", "Vikram", "Wyatt", "Yusuf"].map((name) => ({ name, ...HE })),
];

export function person(r: Rng): Person {
  return r.pick(PEOPLE);
}

/** Two different people. */
export function twoPeople(r: Rng): [Person, Person] {
  const [a, b] = r.sample(PEOPLE, 2);
  return [a!, b!];
}

export const TOWNS = ["Riverton", "Maple Falls", "Port Ellis", "Cedar Hill", "Brightwater", "Ashford", "Kingsbay", "Lowmoor",
  "Silverdale", "Northgate", "Elmstead", "Fairhaven", "Oakridge", "Westbrook"];

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** "a" or "an" before a word, by its first letter (good enough for our word lists). */
export function an(word: string): string {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}
