/** Shapes the data layer hands to agents: source profiles and field statistics. */

export type SourceFormat = "jsonl" | "json" | "csv" | "parquet";

export type FieldType = "string" | "number" | "integer" | "boolean" | "null" | "object" | "array";

/** Statistics of one (possibly nested) field over the profiled sample. */
export interface FieldProfile {
  /** Dotted path; array elements as `[]`, e.g. `question.choices[].text`. */
  path: string;
  /** How often each JSON type was seen at this path. */
  types: Partial<Record<FieldType, number>>;
  /** Share of sampled records where the path holds a non-null value (0..1). */
  presence: number;
  /** String leaves: mean length in characters. */
  meanChars?: number;
  /** String leaves: share of distinct values among present ones (0..1). */
  distinctRatio?: number;
  /** Low-cardinality leaves: the most frequent values with counts (at most 20). */
  topValues?: { value: string; count: number }[];
  /** Arrays: mean number of elements. */
  meanItems?: number;
  /** One example value, long strings truncated. */
  example?: unknown;
}

export interface LengthStats {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface MalformedLine {
  line: number;
  error: string;
  /** The file the line is in (set by the readers; several files make up one hf:// source). */
  file?: string;
}

export interface SourceProfile {
  id: string;
  /** Resolved path (or hf:// reference) the profile was read from. */
  path: string;
  format: SourceFormat;
  description?: string;
  license?: string;
  rows: number;
  bytes: number;
  /** Rows that could not be parsed (skipped); see `malformedExamples`. */
  malformed: number;
  malformedExamples: MalformedLine[];
  /** Lines holding bytes that are not valid UTF-8 (decoded with U+FFFD). */
  invalidUtf8Lines: number;
  topLevelFields: string[];
  fields: FieldProfile[];
  /** A few records as read (long strings truncated), for prompts and the planner. */
  examples: Record<string, unknown>[];
  /** Characters of all string content per record. */
  textLength: LengthStats;
  /** Share of exact duplicates (normalised text) on the sample (0..1). */
  duplicateRate: number;
  /** TF-IDF cosine between this source's sample and the benchmark examples (0..1). */
  relevance: number;
  /** Records the statistics were computed on. */
  sampleSize: number;
  /**
   * Share of sampled records that carry a substantial part of a benchmark item (13-gram
   * fingerprints). Filled in by load_task, not by the profiler; a high value means the source
   * leaks the benchmark.
   */
  benchmarkOverlap?: number;
}

/**
 * Counters of one streaming read, filled in while records are yielded and complete when the
 * iteration ends. Run reports carry them, so nothing that was skipped goes unnoticed.
 */
export interface ReadStats {
  /** Records yielded (parsed objects). */
  rows: number;
  /** Records that could not be parsed and were skipped. */
  malformed: number;
  /** The first few malformed records (line and reason); `file` is set when it was one of several. */
  malformedExamples: MalformedLine[];
  /** Lines (records) holding bytes that are not valid UTF-8, decoded with U+FFFD. */
  invalidUtf8Lines: number;
  /** Bytes read from disk. */
  bytes: number;
}
