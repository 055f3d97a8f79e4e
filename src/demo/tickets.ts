/**
 * Customer-support tickets for a fictional company (smart-home devices plus a companion app and
 * subscription). Each ticket is composed from a scenario of its queue plus random greeting,
 * details, urgency and sign-off, so tickets of one queue share intent but rarely wording.
 */
import type { Rng } from "./rng.js";
import { an, person, TOWNS } from "./words.js";

export const TICKET_LABELS = ["billing", "technical", "account", "shipping", "other"] as const;
export type TicketLabel = (typeof TICKET_LABELS)[number];

export interface Ticket {
  subject: string;
  body: string;
  label: TicketLabel;
  priority: "low" | "normal" | "high";
  customer: string;
}

const DEVICES = ["Lumen hub", "Aero thermostat", "Nimbus camera", "Pulse doorbell", "Drift smart plug", "Halo light strip"];
const PLANS = ["Basic", "Plus", "Family", "Pro"];
const ERRORS = ["E-104", "E-221", "SYNC-09", "NET-3", "FW-512", "AUTH-77"];
const CARRIERS = ["ParcelGo", "SwiftShip", "NorthPost", "QuickDrop"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

interface Ctx {
  device: string;
  plan: string;
  amount: string;
  order: string;
  date: string;
  error: string;
  carrier: string;
  town: string;
  days: number;
  /** A small count (attempts, photos, members, ...). */
  k: number;
  weekday: string;
  part: string;
}

function ctx(r: Rng): Ctx {
  return {
    device: r.pick(DEVICES),
    plan: r.pick(PLANS),
    amount: `$${r.int(4, 189)}.${r.pick(["00", "99", "49", "50", "95"])}`,
    order: `#${r.int(100000, 999999)}`,
    date: `${r.pick(MONTHS)} ${r.int(1, 28)}`,
    error: r.pick(ERRORS),
    carrier: r.pick(CARRIERS),
    town: r.pick(TOWNS),
    days: r.int(3, 21),
    k: r.int(2, 9),
    weekday: r.pick(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
    part: r.pick(["screen", "casing", "power adapter", "mounting bracket", "lens", "charging cable"]),
  };
}

type Scenario = (r: Rng, c: Ctx) => { subject: string; lines: string[] };

// Every sentence carries a slot or two, as real tickets carry their specifics; fixed phrasing
// alone would make unrelated tickets share long word sequences.
const SCENARIOS: Record<TicketLabel, Scenario[]> = {
  billing: [
    (r, c) => ({
      subject: r.pick(["Charged twice this month", "Duplicate charge on my card", "Double payment"]),
      lines: [`I was charged ${c.amount} twice for my ${c.plan} subscription on ${c.date}.`, `Please refund the duplicate ${c.amount} payment to the card ending in ${r.int(1000, 9999)}.`],
    }),
    (r, c) => ({
      subject: r.pick(["Refund request", "Requesting my money back", "Refund for cancelled plan"]),
      lines: [`I cancelled my ${c.plan} plan on ${c.date} but was still billed ${c.amount}.`, `Could you reverse this charge within ${c.k} days and confirm by email?`],
    }),
    (r, c) => ({
      subject: r.pick(["Invoice amount is wrong", "Question about my invoice", "Incorrect invoice"]),
      lines: [`My ${c.weekday} invoice shows ${c.amount}, but the ${c.plan} plan should cost less than that.`, `I think the ${r.pick(["WELCOME10", "SPRING20", "LOYAL15", "FAMILY5"])} code was not applied. Can you send a corrected invoice?`],
    }),
    (r, c) => ({
      subject: r.pick(["Card declined on renewal", "Payment failed", "Cannot update payment method"]),
      lines: [`The renewal of my ${c.plan} subscription on ${c.date} failed and my card was declined.`, `I added a new card ${c.k} times but the payment page keeps asking for it again.`],
    }),
    (r, c) => ({
      subject: r.pick(["VAT missing on invoice", "Need a VAT invoice", "Tax details on receipt"]),
      lines: [`For my company's accounting I need an invoice showing the VAT for the ${c.amount} payment of ${c.date}.`, `Please add ${r.pick(["Brightline Ltd", "Kestrel & Co", "Nordwood GmbH", "Maple Office Supplies"])} and our tax number to the receipt.`],
    }),
  ],
  technical: [
    (r, c) => ({
      subject: r.pick([`App crashes with ${c.error}`, `Error ${c.error} on startup`, "App keeps crashing"]),
      lines: [`Since the ${c.weekday} update the app closes right after I open it and shows error ${c.error}.`, `I reinstalled it ${c.k} times and restarted my ${r.pick(["phone", "tablet", "laptop"])}, but nothing changed.`],
    }),
    (r, c) => ({
      subject: r.pick([`${c.device} offline`, `${c.device} will not connect to wifi`, "Device keeps disconnecting"]),
      lines: [`My ${c.device} drops off the wifi network every ${c.k} hours and shows as offline in the app.`, `The router is ${r.int(1, 12)} meters away in the ${r.pick(["hallway", "kitchen", "attic", "office"])} and every other device works fine.`],
    }),
    (r, c) => ({
      subject: r.pick(["Firmware update fails", `Update stuck on ${c.device}`, "Cannot install update"]),
      lines: [`The firmware update for my ${c.device} stops at ${r.int(10, 95)} percent and then shows ${c.error}.`, `I tried ${c.k} times since ${c.date} and the device is now very slow.`],
    }),
    (r, c) => ({
      subject: r.pick(["Schedules not syncing", "Automations stopped working", "Routine does not run"]),
      lines: [`The ${c.weekday} schedule I set for my ${c.device} no longer runs at the right time since ${c.date}.`, `The app says the routine is active, but nothing happens at ${r.int(5, 11)} am and the log is empty.`],
    }),
    (r, c) => ({
      subject: r.pick(["API returns 500", "Integration broken", "Webhook errors"]),
      lines: [`Our home automation script calls your API and since ${c.date} every request returns a 500 error.`, `The same token worked for ${c.k} months. Is there an outage or did the ${r.pick(["/devices", "/events", "/schedules"])} endpoint change?`],
    }),
  ],
  account: [
    (r, c) => ({
      subject: r.pick(["Password reset email never arrives", "Cannot reset my password", "Locked out"]),
      lines: [`I asked for a password reset ${c.k} times on ${c.weekday} but the email never arrives, not even in spam.`, `I cannot log in to control my ${c.device} without it.`],
    }),
    (r, c) => ({
      subject: r.pick(["Change the email on my account", "Update login email", "New email address"]),
      lines: [`I am moving to a new email provider on ${c.date} and want to change the address I use to sign in to the ${c.device} app.`, `The profile page does not let me edit it. How can I update my login email?`],
    }),
    (r, c) => ({
      subject: r.pick(["Lost phone with two-factor codes", "2FA device lost", "Cannot pass two-step verification"]),
      lines: [`My phone with the authenticator app was stolen in ${c.town} on ${c.date}, so I cannot enter the two-factor code any more.`, `Please help me disable two-step verification so I can reach my ${c.device} again.`],
    }),
    (r, c) => ({
      subject: r.pick(["Delete my account", "Close my profile and data", "Account deletion request"]),
      lines: [`Please close my account and delete all personal data you store about me.`, `I returned my ${c.device} on ${c.date} and no longer use any of your devices.`, `Let me know within ${c.days} days when the deletion is complete.`],
    }),
    (r, c) => ({
      subject: r.pick(["Add family member to account", "Share access with my partner", "Household member cannot join"]),
      lines: [`I want my partner to control the ${c.device} from a second login in our ${c.town} household.`, `The invitation link says the account already reached its limit of ${c.k} members on the ${c.plan} plan.`],
    }),
  ],
  shipping: [
    (r, c) => ({
      subject: r.pick([`Order ${c.order} not delivered`, "Where is my package?", "Package still missing"]),
      lines: [`I ordered ${an(c.device)} on ${c.date} (order ${c.order}) and it still has not arrived after ${c.days} days.`, `The ${c.carrier} tracking page has not changed since ${c.weekday}.`],
    }),
    (r, c) => ({
      subject: r.pick(["Wrong item delivered", "Received the wrong product", `Order ${c.order} mix-up`]),
      lines: [`I ordered ${an(c.device)} but the box delivered on ${c.weekday} contains ${an(r.pick(DEVICES.filter((d) => d !== c.device)))}.`, `How do I send it back and get the right one shipped to ${c.town}?`],
    }),
    (r, c) => ({
      subject: r.pick(["Change delivery address", "Ship to a different address", "Update shipping address"]),
      lines: [`I just moved to ${c.town} and need order ${c.order} delivered to my new address instead.`, `It has not shipped yet according to the confirmation email from ${c.date}.`],
    }),
    (r, c) => ({
      subject: r.pick(["Box arrived damaged", "Damaged parcel", "Crushed package"]),
      lines: [`The ${c.carrier} parcel with my ${c.device} arrived crushed on ${c.weekday} and the ${c.part} is cracked.`, `I have ${c.k} photos of the box. Can you send a replacement to ${c.town}?`],
    }),
    (r, c) => ({
      subject: r.pick(["Customs fee on delivery", "Unexpected import charges", "Why did I pay customs?"]),
      lines: [`The courier asked me for ${c.amount} in customs fees before handing over order ${c.order}.`, `Your shop said delivery to ${c.town} was all-inclusive. Who covers this fee?`],
    }),
  ],
  other: [
    (r, c) => ({
      subject: r.pick(["Thank you!", "Great support experience", "Compliment for your team"]),
      lines: [`I just wanted to say that the ${c.device} made our mornings in ${c.town} much easier.`, `Your installation guide was clear and the setup took ${c.k * 5} minutes. Keep up the good work.`],
    }),
    (r, c) => ({
      subject: r.pick(["Partnership proposal", "Business inquiry", "Reseller question"]),
      lines: [`We run an electronics store in ${c.town} with ${c.k} employees and would like to sell your products.`, `Who can I talk to about wholesale prices for the ${c.device} and becoming an authorised reseller?`],
    }),
    (r, c) => ({
      subject: r.pick(["Feature suggestion", "Idea for the app", "Feature request: dark mode"]),
      lines: [`It would be great if the app had a dark mode and a widget for the ${c.device}.`, `At least ${c.k * 10} people in the community forum asked for it since ${c.date}.`],
    }),
    (r, c) => ({
      subject: r.pick(["Showroom opening hours", "Do you have a store nearby?", "Visiting your showroom"]),
      lines: [`Is there a showroom in ${c.town} where I can see the ${c.device} before buying?`, `If so, is it open on ${c.weekday} after ${c.k} pm?`],
    }),
    (r, c) => ({
      subject: r.pick(["Press request", "Interview request for an article", "Question from a journalist"]),
      lines: [`I am writing an article about smart homes for the ${c.town} Gazette and would like to interview someone from your team before ${c.date}.`, `Would a ${c.k * 10}-minute call on ${c.weekday} be possible?`],
    }),
  ],
};

const GREETINGS = ["Hi,", "Hello,", "Hello support team,", "Dear customer service,", "Hey there,", "Good morning,"];
const URGENT = ["This is urgent, please reply today.", "I need this fixed as soon as possible.", "Please treat this as a priority."];
const CLOSINGS = ["Thanks,", "Thank you in advance,", "Best regards,", "Kind regards,", "Cheers,"];

/**
 * Personal details that do not hint at the queue. Real tickets are full of them, and they keep
 * two tickets of the same scenario from sharing long word sequences.
 */
const DETAILS: ((r: Rng, c: Ctx) => string)[] = [
  (r, c) => `I have been a customer since ${r.int(2015, 2024)} and live in ${c.town}.`,
  (r) => `My customer number is ${r.int(10000, 99999)}.`,
  (r) => `You can call me on 555-${r.int(1000, 9999)} after ${r.int(4, 8)} pm.`,
  (r, c) => `We have ${r.int(2, 9)} of your devices at home in ${c.town}.`,
];
/** Details that only fit a problem report. */
const PROBLEM_DETAILS: ((r: Rng, c: Ctx) => string)[] = [
  (r, c) => `I first noticed this on ${c.date} around ${r.int(7, 22)}:${r.pick(["00", "15", "30", "45"])}.`,
  (r, c) => `This is my ${r.pick(["second", "third", "fourth"])} message about it since ${c.date}.`,
];

function details(r: Rng, c: Ctx, label: TicketLabel, n: number): string[] {
  const kinds = label === "other" ? DETAILS : [...DETAILS, ...PROBLEM_DETAILS];
  return r.sample(kinds, n).map((d) => d(r, c));
}

/** One ticket; its queue is `label` when given, else random. */
export function ticket(r: Rng, label: TicketLabel = r.pick(TICKET_LABELS)): Ticket {
  const c = ctx(r);
  const s = r.pick(SCENARIOS[label])(r, c);
  const who = person(r).name;
  const urgent = label !== "other" && r.chance(0.25);
  const lines = s.lines.slice();
  // One or two details, slotted between the scenario's sentences.
  for (const d of details(r, c, label, r.chance(0.4) ? 2 : 1)) lines.splice(r.int(1, lines.length), 0, d);
  const parts: string[] = [];
  if (r.chance(0.75)) parts.push(r.pick(GREETINGS));
  parts.push(lines.join(" "));
  if (urgent) parts.push(r.pick(URGENT));
  if (r.chance(0.7)) parts.push(`${r.pick(CLOSINGS)}\n${who}`);
  return {
    subject: r.chance(0.3) ? `${s.subject} (${c.date})` : s.subject,
    body: parts.join("\n\n"),
    label,
    priority: urgent ? "high" : label === "other" ? "low" : "normal",
    customer: who,
  };
}

/** Subject and body as one message, the way the benchmark stores tickets. */
export function ticketText(t: Pick<Ticket, "subject" | "body">): string {
  return `Subject: ${t.subject}\n\n${t.body}`;
}
