import { Command } from 'commander';
import { z } from 'zod';
import { policySchema } from '../policy/schema.js';
import type { Io } from './io.js';

/**
 * The JSON Schema of the policy format, generated from the zod schema so the two cannot drift;
 * its descriptions are the schema's own docs. Draft 7, because editors (yaml-language-server,
 * VS Code) support it fully; the input shape, because that is what a policy author writes.
 */
function policyJsonSchema(): Record<string, unknown> {
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
  return new Command('schema').description('print the JSON Schema of the policy file format (for editors and CI)').action(() => {
    io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  });
}
