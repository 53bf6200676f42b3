import { z } from 'zod';

// The retention schedule as data: what `retention schedule --format json` prints, and what the
// Markdown and HTML renderers lay out. The texts are worded here once, so every format reads
// the same.

const whereSchema = z.object({
  column: z.string(),
  values: z.array(z.string()).describe('The record matches if the column holds any of these.'),
});

export const legalMinimumSchema = z.object({
  policy: z.string(),
  rule: z.string().describe('The keep_for rule that sets the minimum.'),
  text: z.string().describe('E.g. "6 months after started_at".'),
});

export const scheduleRowSchema = z.object({
  rule: z.string().nullable().describe('Rule id; null on a row that flags records no delete rule applies to.'),
  action: z
    .enum(['delete', 'redact', 'keep', 'none'])
    .describe('What the rule does when due: delete, redact, keep (a legal minimum only), none (kept without limit).'),
  records: z.string().describe('Which records of the dataset: "all records", or the where condition in words.'),
  where: z.array(whereSchema),
  kept: z
    .string()
    .nullable()
    .describe('How long, from which event: "6 months after started_at"; "kept without limit"; null for a legal minimum only.'),
  period: z.string().nullable().describe('The period alone: "7 years and 6 months", or the per-record period in words.'),
  from: z.array(z.string()).describe('The columns whose value is the event the period starts at.'),
  align: z.enum(['day', 'month', 'year']).nullable(),
  legalMinimum: z.array(legalMinimumSchema).describe('keep_for rules on these records: no rule deletes or redacts before the latest.'),
  outcome: z.string().describe('What happens when due, in words.'),
  columns: z.array(z.string()).describe('Columns a redaction empties.'),
  basis: z.string().nullable().describe('Legal basis as the policy gives it.'),
  cite: z.string().nullable().describe('The sentence of the privacy statement the rule encodes.'),
});

export const scheduleDatasetSchema = z.object({
  dataset: z.string(),
  hold: z.string().nullable().describe('The hold column: a record whose hold is set is never touched, whatever its rows say.'),
  keptWithoutLimit: z
    .enum(['no', 'some', 'all'])
    .describe('Whether records of the dataset are kept without limit: some when delete rules leave records uncovered.'),
  sharedWith: z.array(z.string()).describe('Other policies that declare the dataset; their rules combine with these.'),
  rows: z.array(scheduleRowSchema),
});

export const schedulePolicySchema = z.object({
  policy: z.string(),
  title: z.string().nullable(),
  file: z.string(),
  sha256: z.string(),
  timezone: z.string(),
  datasets: z.array(scheduleDatasetSchema),
});

export const scheduleSchema = z.object({
  generatedBy: z.literal('retention schedule'),
  policies: z.array(schedulePolicySchema),
});

export type ScheduleRow = z.infer<typeof scheduleRowSchema>;
export type ScheduleDataset = z.infer<typeof scheduleDatasetSchema>;
export type SchedulePolicy = z.infer<typeof schedulePolicySchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type LegalMinimum = z.infer<typeof legalMinimumSchema>;
