// The figures /metrics reports, each one cheap: counted over a partial index, never a table scan.
import { sql } from 'kysely';
import type { OperationsRepository } from '../../engine/ports/store.js';
import type { RepositoryContext } from './context.js';

export function createOperationsRepository({ db }: RepositoryContext): OperationsRepository {
  return {
    async dueBacklog(now) {
      // enrollments_due_idx (its predicate, literally, so the partial index applies).
      const row = await db
        .selectFrom('enrollments')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where(sql<boolean>`status = 'active' AND due_at IS NOT NULL`)
        .where('due_at', '<=', now)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async outboxDepth() {
      // outbox_pending_idx, outbox_sending_idx and outbox_attention_idx; `sent` and `dropped` rows grow forever and are not counted.
      const pending = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where(sql<boolean>`status = 'pending'`)
        .executeTakeFirstOrThrow();
      const attention = await db
        .selectFrom('outbox')
        .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where(sql<boolean>`status IN ('failed', 'send_unknown')`)
        .groupBy('status')
        .execute();
      // outbox_sending_idx: handed to SMTP, no answer recorded yet. Rows a killed process left here stay
      // until their lease runs out (then send_unknown); their enrollments wait meanwhile.
      const sending = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where(sql<boolean>`status = 'sending'`)
        .executeTakeFirstOrThrow();
      const depth: Record<string, number> = {
        pending: Number(pending.n),
        sending: Number(sending.n),
        failed: 0,
        send_unknown: 0,
      };
      for (const row of attention) depth[row.status] = Number(row.n);
      return depth;
    },
  };
}
