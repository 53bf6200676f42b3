import { z } from 'zod';

// The YAML shape of a policy test file (`*.test.yaml` beside the policies). Expectations are
// text ("delete usage-data"); their grammar and the references they make are checked in
// expectation.ts and load.ts, where the policies are known.

const value = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'a record value must be a text, a number, a boolean or empty (null)',
});
const instant = z.string({ error: 'as_of must be an ISO 8601 date or date-time, e.g. 2026-03-31T10:00:00+02:00' });
const expectation = z.string({ error: 'an expectation is text such as "keep not-due", "delete RULE" or "redact RULE"' });

const testRecordSchema = z
  .strictObject({
    record: z
      .record(z.string(), value)
      .describe(
        'The values of one record, by column. A column the rules read but the record leaves out is empty (NULL); columns no rule reads are allowed.',
      ),
    expect: z
      .union([expectation, z.array(expectation).min(1)], { error: 'expect must be one expectation, or a list with one per as_of instant' })
      .describe(
        'What happens to the record: one expectation per as_of instant (same order), or one for all of them. ' +
          'Forms: delete RULE | redact RULE [COLUMN...] | keep [REASON [RULE]].',
      ),
  })
  .describe('A record of the dataset and what the policies must do with it.');

const policyTestSchema = z
  .strictObject({
    name: z.string().min(1, 'a test needs a name').describe('What the test shows; printed with a failure.'),
    dataset: z.string().min(1).describe('The dataset the records belong to; the policies must declare it.'),
    as_of: z
      .union([instant, z.array(instant).min(1)], { error: 'as_of must be an instant or a list of instants' })
      .describe('The instant (or instants) the records are decided at: ISO 8601, a date is its start in the policy timezone.'),
    records: z.array(testRecordSchema).min(1, 'a test needs at least one record').describe('The records and their expectations.'),
  })
  .describe('One test: records of one dataset decided at one or more instants.');

export const policyTestFileSchema = z
  .strictObject({
    policy: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'policy must be a path or a list of paths' })
      .describe('The policy file(s) or directory under test, relative to this file; several combine as in --policy.'),
    tests: z.array(policyTestSchema).min(1, 'a test file needs at least one test').describe('The tests.'),
  })
  .describe('A policy test file (retention test).');

export type PolicyTestFileInput = z.infer<typeof policyTestFileSchema>;

/** The keys allowed at each level, to name them when an unknown key is found. */
export const KEYS_AT_DEPTH: Record<number, readonly string[]> = {
  0: Object.keys(policyTestFileSchema.shape),
  2: Object.keys(policyTestSchema.shape),
  4: Object.keys(testRecordSchema.shape),
};
