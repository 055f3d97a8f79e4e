/** Demo task 2: customer-support ticket routing into a closed set of five queues. */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { productReview } from "./offdomain.js";
import { nearDuplicate } from "./perturb.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { ticket, TICKET_LABELS, ticketText, type Ticket, type TicketLabel } from "./tickets.js";
import { capitalize } from "./words.js";
import { writeCsv, writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/tickets";

/** How another CRM names the same queues: synonyms and inconsistent case. */
const DEPARTMENT_NAMES: Record<TicketLabel, string[]> = {
  billing: ["Billing Dept", "billing dept", "Finance", "BILLING"],
  technical: ["Tech Support", "tech support", "IT Helpdesk", "Technical"],
  account: ["Accounts", "Customer Accounts", "account mgmt", "ACCOUNTS"],
  shipping: ["Logistics", "Shipping & Delivery", "shipping", "Fulfilment"],
  other: ["General", "general inquiries", "Front Desk", "Misc"],
};

/** Splits a ticket into a short chat: customer opens, agent asks, customer explains. */
function transcript(r: Rng, t: Ticket): { speaker: string; utterance: string }[] {
  const body = t.body.split("\n\n").filter((p) => !/^(Hi|Hello|Hey|Dear|Good morning)\b/.test(p) && !/^(Thanks|Thank you|Best|Kind|Cheers)\b/.test(p));
  return [
    { speaker: "customer", utterance: /[.?!)]$/.test(t.subject) ? t.subject : `${t.subject}.` },
    { speaker: "agent", utterance: r.pick(["Thanks for reaching out! Could you tell me a bit more?", "Hi, I'm happy to help. What happened exactly?", "Sure, can you describe the problem?"]) },
    { speaker: "customer", utterance: body.join(" ") },
  ];
}

export async function writeTicketTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const taken = new Set<string>();
  const key = (t: Ticket) => normalizeText(ticketText(t));
  const fresh = (r: Rng, n: number) => distinct(n, () => ticket(r), key, taken);

  const bench = fresh(rng.fork("tickets/benchmark"), scaled(200, scale));
  await writeJsonl(path.join(root, DIR, "benchmark.jsonl"), bench.map((t) => ({ text: ticketText(t), label: t.label })));

  const exp = fresh(rng.fork("tickets/helpdesk"), scaled(700, scale));
  await writeJsonArray(
    path.join(root, DIR, "helpdesk_export.json"),
    exp.map((t) => ({ ticket: { subject: t.subject, body: t.body }, category: capitalize(t.label) })),
  );

  const crmRng = rng.fork("tickets/crm");
  const crm = fresh(crmRng, scaled(600, scale));
  await writeCsv(
    path.join(root, DIR, "crm_messages.csv"),
    ["message", "department"],
    crm.map((t) => ({ message: `${t.subject} - ${t.body}`, department: crmRng.pick(DEPARTMENT_NAMES[t.label]) })),
  );

  // Transcripts drop greetings and sign-offs, so they are made distinct on what remains.
  const chatRng = rng.fork("tickets/chat");
  // The empty key is pre-taken: it stands for tickets already used by another file.
  const chatTexts = new Set<string>([""]);
  const chats = distinct(
    scaled(400, scale),
    () => {
      const t = ticket(chatRng);
      return { t, conversation: transcript(chatRng, t), fresh: !taken.has(key(t)) };
    },
    (c) => (c.fresh ? normalizeText(c.conversation.filter((u) => u.speaker === "customer").map((u) => u.utterance).join(" ")) : ""),
    chatTexts,
  );
  for (const c of chats) taken.add(key(c.t));
  await writeParquet(
    path.join(root, DIR, "chat_transcripts.parquet"),
    chats.map((c) => ({ conversation: c.conversation, routing: { queue: c.t.label, priority: c.t.priority } })),
  );

  const noisyRng = rng.fork("tickets/noisy");
  const noisy = fresh(noisyRng, scaled(500, scale)).map((t) => {
    const roll = noisyRng.next();
    // A third of the tags are wrong queues; some are junk, some messages are empty or auto-replies.
    const tag = roll < 0.33 ? noisyRng.pick(TICKET_LABELS.filter((l) => l !== t.label))
      : roll < 0.4 ? noisyRng.pick(["URGENT", "n/a", "", "escalate", "???"])
      : t.label;
    const content = noisyRng.chance(0.06) ? ""
      : noisyRng.chance(0.06) ? "Auto-reply: I am out of the office until Monday with limited access to email."
      : ticketText(t);
    return { content, tag };
  });
  await writeJsonl(path.join(root, DIR, "legacy_inbox.jsonl"), noisy);

  const offRng = rng.fork("tickets/offdomain");
  const off = Array.from({ length: scaled(400, scale) }, () => {
    const rv = productReview(offRng);
    return { review_title: rv.title, review_body: rv.body, stars: rv.stars };
  });
  await writeJsonl(path.join(root, DIR, "product_reviews.jsonl"), off);

  const dupRng = rng.fork("tickets/duplicates");
  const bases = fresh(dupRng, scaled(50, scale, 5));
  const dups = Array.from({ length: scaled(400, scale) }, () => {
    const t = dupRng.pick(bases);
    const msg = dupRng.chance(0.45) ? ticketText(t) : nearDuplicate(dupRng, ticketText(t));
    return { msg, queue: t.label };
  });
  await writeJsonl(path.join(root, DIR, "faq_mirror.jsonl"), dups);

  const leakRng = rng.fork("tickets/leak");
  const leakFresh = fresh(leakRng, scaled(60, scale, 4));
  const leak = Array.from({ length: scaled(250, scale) }, (_, i) => {
    const fromBench = leakRng.chance(0.7);
    const t = fromBench ? leakRng.pick(bench) : leakFresh[i % leakFresh.length]!;
    // Copied tickets lose their greeting or get a forwarding header: small edits, same body.
    let text = ticketText(t);
    if (fromBench && leakRng.chance(0.5)) text = text.replace(/\n\n(Hi|Hello|Hey there|Dear customer service|Good morning)[^\n]*\n\n/, "\n\n");
    if (leakRng.chance(0.3)) text = `Fwd: ${text}`;
    return { ticket_text: text, routed_to: `Routed to ${capitalize(t.label)} team` };
  });
  await writeJsonl(path.join(root, DIR, "routing_eval_copy.jsonl"), leak);

  return {
    id: "demo_ticket_routing",
    domain: "customer support",
    instruction:
      "Adapt a base LLM to route customer-support tickets of a smart-home company. Given a ticket (subject and body), answer with exactly one word naming the queue: billing, technical, account, shipping or other.",
    benchmark: {
      id: "demo_ticket_routing_test",
      name: "Demo ticket routing",
      description: "Held-out support tickets (text = 'Subject: ...' plus body) with their queue label: billing, technical, account, shipping or other.",
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the predicted queue label",
      rows: bench.length,
    },
    sources: [
      {
        id: "helpdesk_export", file: `${DIR}/helpdesk_export.json`, role: "in-domain", license: "CC-BY-4.0", rows: exp.length,
        description: "In-domain: helpdesk export as a JSON array of {ticket: {subject, body}, category}; categories are capitalised queue names.",
      },
      {
        id: "crm_messages", file: `${DIR}/crm_messages.csv`, role: "in-domain", license: "CC-BY-NC-4.0", rows: crm.length,
        description: "In-domain: CRM messages as CSV (message, department); department names are synonyms of the queues with inconsistent case (e.g. 'Billing Dept', 'Logistics', 'IT Helpdesk').",
      },
      {
        id: "chat_transcripts", file: `${DIR}/chat_transcripts.parquet`, role: "in-domain", license: "Apache-2.0", rows: chats.length,
        description: "In-domain: live-chat transcripts in Parquet: conversation (list of {speaker, utterance}) and routing{queue, priority}.",
      },
      {
        id: "legacy_inbox", file: `${DIR}/legacy_inbox.jsonl`, role: "noisy", license: "MIT", rows: noisy.length,
        description: "Noisy: an old shared inbox (content, tag) tagged by hand; about a third of the tags are wrong, some are junk ('URGENT', 'n/a'), some messages are empty or auto-replies.",
      },
      {
        id: "product_reviews", file: `${DIR}/product_reviews.jsonl`, role: "off-domain", license: "CC0-1.0", rows: off.length,
        description: "Off-domain: gadget product reviews with star ratings (review_title, review_body, stars); sentiment data, not support tickets.",
      },
      {
        id: "faq_mirror", file: `${DIR}/faq_mirror.jsonl`, role: "duplicate-heavy", license: "CC-BY-SA-4.0", rows: dups.length,
        description: "Duplicate-heavy: a scraped support-FAQ mirror (msg, queue); a few dozen tickets repeated many times, exactly or with case and spacing changes.",
      },
      {
        id: "routing_eval_copy", file: `${DIR}/routing_eval_copy.jsonl`, role: "leaks the benchmark", license: "CC-BY-NC-4.0", rows: leak.length,
        description: "Leaks the benchmark: a copy of an evaluation set (ticket_text, routed_to) in which most tickets are benchmark items, some forwarded or without greeting.",
      },
    ],
    maxRecords: 2000,
  };
}
