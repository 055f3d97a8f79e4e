/** The training record of contracts.md: one conversation per line of data.jsonl. */
import { z } from "zod";

export const ChatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().refine((s) => s.trim().length > 0, "content must be a non-empty string"),
});

export const ChatRecordSchema = z
  .object({ messages: z.array(ChatMessageSchema).min(2) })
  .refine((r) => r.messages.some((m) => m.role === "user"), "needs at least one user turn")
  .refine((r) => r.messages.at(-1)?.role === "assistant", "the last turn must be the assistant's");

export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type ChatRecord = z.infer<typeof ChatRecordSchema>;

/** Returns null for a valid chat record, else a one-line reason. */
export function chatRecordError(value: unknown): string | null {
  const r = ChatRecordSchema.safeParse(value);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  const where = i.path.length ? i.path.join(".") + ": " : "";
  return where + i.message;
}

export function userText(r: ChatRecord): string {
  return r.messages.filter((m) => m.role === "user").map((m) => m.content).join("\n");
}

export function assistantText(r: ChatRecord): string {
  return r.messages.at(-1)!.content;
}
