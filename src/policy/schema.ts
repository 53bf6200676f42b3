import { z } from 'zod';

// The YAML shape of a policy file, format version 1 (SPEC §1). Descriptions become editor help
// through the generated JSON Schema; cross-field rules live in normalize.ts.

const id = z.string().regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes ([a-z0-9-]+)');
const columnName = z.string().min(1);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const perRecordPeriodSchema = z
  .strictObject({
    column: columnName.describe('Column holding the number of units for this record.'),
    unit: z.string().describe('Unit of the number: hours, days, weeks, months or years.'),
    default: z.string().optional().describe('Period used when the column is empty; without it an empty value means "not due".'),
  })
  .describe('A period read from the record itself.');

export const periodSchema = z
  .union([z.string(), z.number(), perRecordPeriodSchema], {
    error: 'must be a period: text such as "90 days" or "P90D", or { column, unit, default }',
  })
  .describe('A period: ISO 8601 (P90D, P6M, P7Y6M, PT12H) or words ("90 days", "7 years and 6 months"), or { column, unit, default }.');

export const datasetSchema = z
  .strictObject({
    key: columnName.optional().describe('Column that identifies a record in reports; default: rowid (SQLite) or line number (CSV).'),
    timestamps: z
      .string()
      .optional()
      .describe('How timestamps are stored: iso (default), unix, unix_ms, or a Luxon format such as "dd-MM-yyyy HH:mm".'),
    hold: columnName.optional().describe('Column whose truthy value (1, true, yes, y) puts the record on hold: never touched.'),
  })
  .describe('How the records of a dataset (SQLite table or CSV file) are found.');

export const ruleSchema = z
  .strictObject({
    id: id.describe('Rule id, unique within the policy.'),
    dataset: z.string().describe('The dataset the rule applies to; must be declared under datasets.'),
    where: z
      .record(z.string(), z.union([scalar, z.array(scalar).min(1)], { error: 'must be a text, number or boolean, or a list of them' }))
      .optional()
      .describe('Only records whose column equals the value (a list: any of them).'),
    from: z
      .union([columnName, z.array(columnName).min(1)], { error: 'must be a column name or a list of column names' })
      .describe('Column whose value starts the period; a list means the latest of them, and not yet if any is empty.'),
    align: z.enum(['day', 'month', 'year']).optional().describe('Moves the start to the end of its calendar day, month or year.'),
    delete_after: periodSchema.optional().describe('Delete the record this long after the start.'),
    redact_after: periodSchema.optional().describe('Redact the columns under redact this long after the start.'),
    redact: z.array(columnName).min(1).optional().describe('Columns set to NULL (SQLite) or empty (CSV) by redact_after.'),
    keep_for: periodSchema.optional().describe('Legal minimum: no rule deletes or redacts the record before this.'),
    basis: z.string().optional().describe('Legal ground, free text.'),
    cite: z.string().optional().describe('The sentence of the privacy statement this rule encodes.'),
  })
  .describe('One retention rule.');

export const policySchema = z
  .strictObject({
    version: z.literal(1).describe('Policy format version; must be 1.'),
    name: id.describe('Unique id of the policy.'),
    title: z.string().optional().describe('Human title, e.g. the statement and its date.'),
    timezone: z.string().optional().describe('IANA time zone for timestamps without offset and for calendar arithmetic; default UTC.'),
    datasets: z.record(z.string(), datasetSchema).describe('Datasets by name: SQLite table or CSV file name without .csv.'),
    rules: z.array(ruleSchema).describe('The retention rules.'),
  })
  .describe('A retention policy (format version 1).');

export type PolicyInput = z.infer<typeof policySchema>;

/**
 * The same document with unknown keys ignored and each dataset and rule checked on its own, so
 * the cross-field rules can still run on the parts that are well formed and every problem of a
 * file is reported at once.
 */
export const loosePolicySchema = z.object({
  name: z.string().catch('unnamed'),
  title: z.string().optional().catch(undefined),
  timezone: z.string().optional().catch(undefined),
  datasets: z.record(z.string(), z.unknown()).catch({}),
  rules: z.array(z.unknown()).catch([]),
});
export const looseDatasetSchema = datasetSchema.strip();
export const looseRuleSchema = ruleSchema.strip();
export type PeriodInput = z.infer<typeof periodSchema>;
