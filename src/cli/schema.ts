import { Command } from 'commander';
import type { Io } from './io.js';

/**
 * The JSON Schema of the policy format, generated from the zod schema so the two cannot drift;
 * its descriptions are the schema's own docs. Draft 7, because editors (yaml-language-server,
 * VS Code) support it fully; the input shape, because that is what a policy author writes.
 */
async function policyJsonSchema(): Promise<Record<string, unknown>> {
  const [{ z }, { policySchema }] = await Promise.all([import('zod'), import('../policy/schema.js')]);
  const { $schema, ...rest } = z.toJSONSchema(policySchema, { target: 'draft-07', io: 'input' });
  return {
    $schema,
    $id: 'urn:retention:policy:v1',
    title: 'retention policy, format version 1',
    ...rest,
  };
}

/** Prints the JSON Schema; shipped as schema/policy.schema.json. */
export function schemaCommand(io: Io): Command {
  return new Command('schema').description('print the JSON Schema of the policy file format (for editors and CI)').action(async () => {
    io.stdout.write(`${JSON.stringify(await policyJsonSchema(), null, 2)}\n`);
  });
}
