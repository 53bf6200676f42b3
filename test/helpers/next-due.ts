import { trace } from '../../src/engine/decide.js';
import { NextDue } from '../../src/engine/next-due.js';
import type { DatasetPlan } from '../../src/engine/plan.js';

/** Each rule's next due, as comparable text. */
export const dues = (n: NextDue) => [...n.byRule()].map(([rule, due]) => `${rule.id} ${due.toISO()}`).sort();

/** Each rule's earliest due by tracing every record with Luxon: what a NextDue must come to. */
export function tracedNextDue(plan: DatasetPlan): { add: (row: readonly unknown[]) => void; dues: () => string[] } {
  const all = new NextDue();
  return {
    add: (row) => {
      const tr = trace(plan, row);
      if (tr.decision.reason !== 'invalid' && tr.decision.reason !== 'held') all.fromTrace(plan, tr);
    },
    dues: () => dues(all),
  };
}
