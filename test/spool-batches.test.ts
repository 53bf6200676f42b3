import { expect, it } from 'vitest';
import { planSink, recordsSink } from '../src/app/consumers.js';
import type { Change } from '../src/engine/decision.js';
import type { Acted } from '../src/sources/source.js';
import { Spool } from '../src/util/spool.js';

// A batch rolled back and done again (a serialization failure, a lost counting session, a
// partition that could not be dropped whole) lists its records once, in the listing and the plan.

const rule = { policy: 'p', id: 'r' } as Change['rule'];
const acted = (key: string): Acted => ({
  dataset: 'd',
  decision: { action: 'delete', reason: 'shortest-deletion', rule } as Change,
  ref: key,
  key: () => key,
  match: () => `key:${key}`,
  valuesHash: () => 'h',
  due: () => undefined,
});

const keys = async (spool: Spool) => {
  const out: string[] = [];
  for await (const l of spool.lines()) out.push(JSON.parse(l).key);
  return out;
};

for (const [name, make] of [
  ['records listing', recordsSink],
  ['plan file', planSink],
] as const) {
  it(`${name}: the lines of a rolled-back batch go, those of committed batches stay`, async () => {
    const spool = new Spool('t');
    const sink = make(spool);
    for (const k of ['1', '2']) sink.act(acted(k));
    sink.commit?.({ ms: 1 });
    // More lines than the writer's buffer holds: some are on disk when the batch rolls back.
    for (let i = 0; i < 5000; i++) sink.act(acted(`x${i}`));
    sink.rollback?.();
    for (const k of ['3', '4']) sink.act(acted(k));
    sink.commit?.({ ms: 1 });
    sink.act(acted('5'));
    sink.rollback?.();
    sink.rollback?.();
    sink.act(acted('6'));
    expect(spool.count).toBe(5);
    expect(await keys(spool)).toEqual(['1', '2', '3', '4', '6']);
    spool.remove();
  });
}
