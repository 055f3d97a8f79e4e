/**
 * A small built-in table of everyday science and geography facts, turned into four-option
 * multiple-choice questions. Distractors come from the same relation's answers, so every
 * option is plausible and only the fact decides.
 */
import type { Rng } from "./rng.js";
import { an, person } from "./words.js";

export interface Fact {
  relation: string;
  /** School subject the relation belongs to. */
  area: string;
  entity: string;
  answer: string;
}

interface Relation {
  id: string;
  area: string;
  pairs: readonly (readonly [string, string])[];
  phrasings: readonly ((entity: string) => string)[];
  /** Entities read as common nouns ("the heart"), not names ("Kenya"). */
  the?: boolean;
}

const COUNTRIES: readonly (readonly [string, string, string])[] = [
  ["Kenya", "Nairobi", "Africa"], ["Peru", "Lima", "South America"], ["Norway", "Oslo", "Europe"], ["Japan", "Tokyo", "Asia"],
  ["Canada", "Ottawa", "North America"], ["Australia", "Canberra", "Oceania"], ["Egypt", "Cairo", "Africa"], ["Chile", "Santiago", "South America"],
  ["Portugal", "Lisbon", "Europe"], ["Vietnam", "Hanoi", "Asia"], ["Mexico", "Mexico City", "North America"], ["New Zealand", "Wellington", "Oceania"],
  ["Ghana", "Accra", "Africa"], ["Colombia", "Bogota", "South America"], ["Poland", "Warsaw", "Europe"], ["Thailand", "Bangkok", "Asia"],
  ["Cuba", "Havana", "North America"], ["Fiji", "Suva", "Oceania"], ["Morocco", "Rabat", "Africa"], ["Argentina", "Buenos Aires", "South America"],
  ["Greece", "Athens", "Europe"], ["Mongolia", "Ulaanbaatar", "Asia"], ["Jamaica", "Kingston", "North America"], ["Samoa", "Apia", "Oceania"],
  ["Senegal", "Dakar", "Africa"], ["Ecuador", "Quito", "South America"], ["Hungary", "Budapest", "Europe"], ["Nepal", "Kathmandu", "Asia"],
  ["Honduras", "Tegucigalpa", "North America"], ["Ethiopia", "Addis Ababa", "Africa"], ["Ireland", "Dublin", "Europe"], ["South Korea", "Seoul", "Asia"],
];

const RELATIONS: readonly Relation[] = [
  {
    id: "capital", area: "geography",
    pairs: COUNTRIES.map(([c, cap]) => [c, cap] as const),
    phrasings: [(e) => `Which city is the capital of ${e}?`, (e) => `What is the name of the capital city of ${e}?`, (e) => `The national government of ${e} sits in which city?`],
  },
  {
    id: "continent", area: "geography",
    pairs: COUNTRIES.map(([c, , cont]) => [c, cont] as const),
    phrasings: [(e) => `On which continent is ${e} located?`, (e) => `${e} is a country in which part of the world?`, (e) => `Which continent would you fly to in order to visit ${e}?`],
  },
  {
    id: "symbol", area: "chemistry",
    pairs: [["gold", "Au"], ["silver", "Ag"], ["iron", "Fe"], ["sodium", "Na"], ["potassium", "K"], ["lead", "Pb"], ["copper", "Cu"], ["tin", "Sn"],
      ["mercury", "Hg"], ["oxygen", "O"], ["nitrogen", "N"], ["helium", "He"], ["calcium", "Ca"], ["zinc", "Zn"], ["carbon", "C"], ["chlorine", "Cl"],
      ["neon", "Ne"], ["magnesium", "Mg"], ["sulfur", "S"], ["hydrogen", "H"]],
    phrasings: [(e) => `What is the chemical symbol for ${e}?`, (e) => `In the periodic table, which symbol stands for ${e}?`, (e) => `Which letters are used to write the element ${e} in a chemical formula?`],
  },
  {
    id: "animal_class", area: "biology",
    pairs: [["dolphin", "mammal"], ["bat", "mammal"], ["whale", "mammal"], ["platypus", "mammal"], ["penguin", "bird"], ["ostrich", "bird"], ["owl", "bird"],
      ["hummingbird", "bird"], ["crocodile", "reptile"], ["gecko", "reptile"], ["tortoise", "reptile"], ["cobra", "reptile"], ["frog", "amphibian"],
      ["salamander", "amphibian"], ["newt", "amphibian"], ["axolotl", "amphibian"], ["shark", "fish"], ["seahorse", "fish"], ["salmon", "fish"],
      ["eel", "fish"], ["beetle", "insect"], ["dragonfly", "insect"], ["ant", "insect"], ["butterfly", "insect"]],
    the: true,
    phrasings: [(e) => `To which group of animals does the ${e} belong?`, (e) => `How do biologists classify the ${e}?`, (e) => `The ${e} is an example of which kind of animal?`],
  },
  {
    id: "instrument", area: "physics",
    pairs: [["thermometer", "temperature"], ["barometer", "air pressure"], ["anemometer", "wind speed"], ["seismograph", "ground vibrations from earthquakes"],
      ["hygrometer", "humidity"], ["ammeter", "electric current"], ["voltmeter", "voltage"], ["odometer", "distance traveled"], ["altimeter", "altitude"],
      ["rain gauge", "amount of rainfall"], ["speedometer", "speed"], ["pH meter", "acidity"], ["decibel meter", "loudness of sound"]],
    phrasings: [(e) => `What does ${an(e)} measure?`, (e) => `A scientist uses ${an(e)} to measure which quantity?`, (e) => `Which quantity can be read from ${an(e)}?`],
    the: true,
  },
  {
    id: "organ", area: "biology",
    pairs: [["heart", "pumping blood around the body"], ["lungs", "exchanging oxygen and carbon dioxide"], ["kidneys", "filtering waste from the blood"],
      ["small intestine", "absorbing nutrients from food"], ["stomach", "breaking down food with acid"], ["skin", "protecting the body from germs"],
      ["liver", "cleaning toxins from the blood"], ["brain", "controlling the nervous system"], ["bones", "supporting the body"]],
    the: true,
    phrasings: [(e) => `What is the main job of the ${e}?`, (e) => `In the human body, which job belongs to the ${e}?`, (e) => `Which task does the ${e} perform in the human body?`],
  },
  {
    id: "si_unit", area: "physics",
    pairs: [["force", "newton"], ["energy", "joule"], ["power", "watt"], ["pressure", "pascal"], ["electric current", "ampere"], ["electrical resistance", "ohm"],
      ["frequency", "hertz"], ["mass", "kilogram"], ["electric charge", "coulomb"], ["voltage", "volt"], ["length", "meter"], ["time", "second"]],
    phrasings: [(e) => `What is the SI unit of ${e}?`, (e) => `Scientists measure ${e} in which SI unit?`, (e) => `Which unit from the International System of Units is used for ${e}?`],
  },
  {
    id: "phase_change", area: "physics",
    pairs: [["water vapor turning into liquid water", "condensation"], ["liquid water turning into vapor", "evaporation"], ["ice turning into liquid water", "melting"],
      ["liquid water turning into ice", "freezing"], ["dry ice turning straight into gas", "sublimation"], ["water vapor turning straight into frost", "deposition"]],
    phrasings: [(e) => `What is the name of the process of ${e}?`, (e) => `Scientists call ${e} by which name?`, (e) => `Which term describes ${e}?`],
  },
  {
    id: "river_continent", area: "geography",
    pairs: [["Nile", "Africa"], ["Congo", "Africa"], ["Niger", "Africa"], ["Amazon", "South America"], ["Orinoco", "South America"], ["Parana", "South America"],
      ["Danube", "Europe"], ["Rhine", "Europe"], ["Volga", "Europe"], ["Yangtze", "Asia"], ["Ganges", "Asia"], ["Mekong", "Asia"], ["Mississippi", "North America"],
      ["Yukon", "North America"], ["Murray", "Oceania"]],
    phrasings: [(e) => `Through which continent does the ${e} river flow?`, (e) => `The ${e} river is found on which continent?`, (e) => `On a world map, on which continent would you find the ${e} river?`],
  },
];

export const FACTS: readonly Fact[] = RELATIONS.flatMap((rel) => rel.pairs.map(([entity, answer]) => ({ relation: rel.id, area: rel.area, entity, answer })));

function relationOf(f: Fact): Relation {
  return RELATIONS.find((r) => r.id === f.relation)!;
}

export interface McqItem {
  fact: Fact;
  /** The question, usually with a short situational lead-in. */
  question: string;
  /** Four option texts in display order. */
  options: string[];
  answerIndex: number;
}

export const LETTERS = ["A", "B", "C", "D", "E"] as const;

/**
 * A short situational lead-in that names the entity early. With the entity both near the start
 * and at the end of the question, every 13-word window of it mentions the entity, so questions
 * about different facts never share a long word sequence (only true templates do).
 */
function leadIn(r: Rng, fact: Fact): string {
  const p = person(r);
  const e = relationOf(fact).the ? `the ${fact.entity}` : fact.entity;
  return r.pick([
    `${p.name}'s ${fact.area} flash card about ${e} asks:`,
    `Quiz night, ${fact.area} round, a question on ${e}.`,
    `On ${p.name}'s ${fact.area} worksheet, about ${e}:`,
    `${p.name} is revising ${e} for a ${fact.area} test.`,
    `Homework help (${fact.area}, topic: ${e}).`,
    `From a grade ${r.int(4, 9)} ${fact.area} unit on ${e}:`,
  ]);
}

/** A four-option question about `fact`; `framed` adds the lead-in sentence. */
export function mcqItem(r: Rng, fact: Fact, framed = true): McqItem {
  const rel = relationOf(fact);
  const pool = [...new Set(rel.pairs.map(([, a]) => a))].filter((a) => a !== fact.answer);
  const options = r.shuffle([fact.answer, ...r.sample(pool, 3)]);
  const ask = r.pick(rel.phrasings)(fact.entity);
  const question = framed ? `${leadIn(r, fact)} ${ask}` : ask;
  return { fact, question, options, answerIndex: options.indexOf(fact.answer) };
}

/**
 * Splits the facts into two disjoint sets: benchmark questions ask about one, training sources
 * about the other, so clean sources teach the format without restating benchmark items. The
 * split is by entity, so a country whose capital is a benchmark fact is not a training topic.
 */
export function splitFacts(r: Rng, benchmarkShare = 0.4): { benchmark: Fact[]; train: Fact[] } {
  const entities = r.shuffle([...new Set(FACTS.map((f) => f.entity))]);
  const held = new Set(entities.slice(0, Math.round(entities.length * benchmarkShare)));
  return { benchmark: FACTS.filter((f) => held.has(f.entity)), train: FACTS.filter((f) => !held.has(f.entity)) };
}
