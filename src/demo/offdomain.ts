/**
 * Off-domain material: plausible instruction data that does not fit any demo task (cooking,
 * gardening, travel, product reviews). It is fluent and well formed, so only relevance, not a
 * format check, tells it apart from useful data. Some of it carries numbers on purpose.
 */
import type { Rng } from "./rng.js";
import { listWords, TOWNS } from "./words.js";

export interface InstructionPair {
  category: string;
  prompt: string;
  response: string;
}

const DISHES = [
  { dish: "lentil soup", base: ["red lentils", "onion", "carrot", "vegetable stock"], method: "simmer" },
  { dish: "banana bread", base: ["ripe bananas", "flour", "butter", "brown sugar"], method: "bake" },
  { dish: "vegetable stir-fry", base: ["broccoli", "bell pepper", "soy sauce", "garlic"], method: "stir-fry" },
  { dish: "tomato risotto", base: ["arborio rice", "tomatoes", "parmesan", "shallot"], method: "stir" },
  { dish: "chickpea curry", base: ["chickpeas", "coconut milk", "curry paste", "spinach"], method: "simmer" },
  { dish: "oat pancakes", base: ["rolled oats", "milk", "eggs", "baking powder"], method: "fry" },
  { dish: "potato gratin", base: ["potatoes", "cream", "gruyere", "nutmeg"], method: "bake" },
];

function cooking(r: Rng): InstructionPair {
  const d = r.pick(DISHES);
  const serves = r.int(2, 8), minutes = r.step(15, 75, 5), temp = r.step(160, 220, 10);
  const steps = [
    `Prepare the ${listWords(d.base.slice(0, 2))} and measure everything before you start.`,
    d.method === "bake"
      ? `Heat the oven to ${temp} degrees Celsius and grease a dish.`
      : `Warm a large pan over medium heat with a little oil.`,
    `Add the ${d.base[2]} and the ${d.base[3]}, then ${d.method} for about ${minutes} minutes.`,
    r.pick(["Taste and adjust the seasoning with salt and pepper.", "Let it rest for five minutes before serving.", "Garnish with fresh herbs."]),
  ];
  const prompt = r.pick([
    `How do I make ${d.dish} for ${serves} people?`,
    `Give me a simple recipe for ${d.dish}.`,
    `What is an easy way to cook ${d.dish} on a weeknight?`,
  ]);
  return { category: "cooking", prompt, response: steps.map((s, i) => `${i + 1}. ${s}`).join("\n") };
}

const PLANTS = ["tomatoes", "basil", "roses", "lavender", "strawberries", "peppers", "mint", "sunflowers"];

function gardening(r: Rng): InstructionPair {
  const plant = r.pick(PLANTS);
  const days = r.int(2, 7), depth = r.int(1, 5);
  const prompt = r.pick([
    `How often should I water ${plant} in summer?`,
    `What is the best way to grow ${plant} in pots on a balcony?`,
    `My ${plant} have yellow leaves. What am I doing wrong?`,
  ]);
  const response = [
    `Keep the soil around your ${plant} evenly moist: water deeply about every ${days} days rather than a little each day.`,
    `Check the soil with your finger: if the top ${depth} cm are dry, it is time to water.`,
    r.pick(["Morning watering reduces leaf disease.", "A layer of mulch keeps the roots cool.", "Make sure the pot has drainage holes."]),
  ].join(" ");
  return { category: "gardening", prompt, response };
}

function travel(r: Rng): InstructionPair {
  const town = r.pick(TOWNS);
  const days = r.int(2, 5);
  const prompt = r.pick([
    `Plan a ${days}-day trip to ${town} on a budget.`,
    `What should I pack for a weekend hiking trip near ${town}?`,
    `Suggest things to do in ${town} when it rains.`,
  ]);
  const response = [
    `Start with the old market square in ${town}, which is free to explore.`,
    r.pick(["Book a hostel near the station to save on transport.", "Pack layers and a light rain jacket.", "The local museum has free entry on Sundays."]),
    `Spread the sights over ${days} days so you are not rushing.`,
  ].join(" ");
  return { category: "travel", prompt, response };
}

export function offDomainPair(r: Rng): InstructionPair {
  return r.pick([cooking, gardening, travel])(r);
}

export interface ProductReview {
  title: string;
  body: string;
  stars: number;
}

const GADGETS = ["blender", "desk lamp", "electric kettle", "yoga mat", "phone case", "air fryer", "backpack", "wireless mouse"];

/** Sentiment reviews: a classification task, but not the one any demo benchmark asks for. */
export function productReview(r: Rng): ProductReview {
  const g = r.pick(GADGETS);
  const stars = r.int(1, 5);
  const good = [`The ${g} works exactly as described.`, `Great value for the price.`, `It arrived quickly and looks sturdy.`];
  const bad = [`The ${g} fell apart after ${r.int(2, 6)} weeks.`, `Cheap plastic and a wobbly build.`, `Not worth the money at all.`];
  const lines = stars >= 4 ? r.sample(good, 2) : stars <= 2 ? r.sample(bad, 2) : [r.pick(good), r.pick(bad)];
  const title = stars >= 4 ? r.pick(["Love it", "Does the job", "Very happy"]) : stars <= 2 ? r.pick(["Disappointed", "Avoid", "Broke fast"]) : "It's okay";
  return { title, body: `${lines.join(" ")} I use it ${r.pick(["every day", "a few times a week", "at the office"])}.`, stars };
}
