// Every built-in sequence template, driven through the real engine with a manual clock, on every path
// (both branches of each condition) and on both dialects: one record per path, all in one sequence
// activated from the gallery. The test plays the seller (completes calls, tasks and manual emails),
// the email part (reports automated emails sent) and the prospect (replies where a path takes `yes`).
import { expect, it } from 'vitest';
import {
  isOutcomeCondition,
  isSignalCondition,
  type SequenceDefinition,
  successors,
} from '../domain/definition.js';
import { SEQUENCE_TEMPLATES } from '../domain/templates/index.js';
import { forEachDialect } from '../storage/test-support/dialects.js';
import { applyEvents } from './apply-events.js';
import { connectRecords } from './connect.js';
import { runDue } from './scheduler.js';
import { completeStep, markEmailSent } from './seller-actions.js';
import { createSequenceFromTemplate } from './sequence-templates.js';
import { activateSequence } from './sequences/activate-sequence.js';
import { ingestSignals } from './signals.js';
import { aUser, engineDeps, HOUR, someRecords } from './test-support/engine-world.js';

/** One step of a path: the step id and, for a condition, the branch the path takes. */
interface PathStep {
  id: string;
  branch?: 'yes' | 'no';
}

function allPaths(def: SequenceDefinition): PathStep[][] {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const out: PathStep[][] = [];
  const walk = (id: string, trail: PathStep[]) => {
    const step = byId.get(id);
    if (step === undefined) throw new Error(`no step ${id}`);
    if (step.type === 'condition') {
      walk(step.yes ?? '', [...trail, { id, branch: 'yes' }]);
      walk(step.no ?? '', [...trail, { id, branch: 'no' }]);
      return;
    }
    const [next] = successors(step);
    if (next === undefined) out.push([...trail, { id }]);
    else walk(next, [...trail, { id }]);
  };
  walk(def.start, []);
  return out;
}

const STEP = 6 * HOUR;
const MAX_ROUNDS = 600; // 150 days of 6-hour ticks: account-renewal takes 50 days
const W = { batchSize: 100, leaseOwner: 't' };
const PATH_COUNTS: Record<string, number> = {
  'follow-up-no-show': 4,
  'high-volume-outbound': 4,
  'invite-to-event': 4,
  'product-demo-meeting': 4,
  'account-renewal': 2,
  'webinar-follow-up': 5,
};

forEachDialect('built-in templates through the engine', (t) => {
  for (const template of SEQUENCE_TEMPLATES) {
    it(`${template.key}: runs every path to its end`, async () => {
      const deps = engineDeps(t.store());
      const owner = await aUser(deps.store, 'admin');
      const actor = { id: owner.id, role: 'admin' as const };
      const def = template.definition;
      const byId = new Map(def.steps.map((s) => [s.id, s]));
      const paths = allPaths(def);
      expect(paths).toHaveLength(PATH_COUNTS[template.key] ?? -1);

      const sequence = await createSequenceFromTemplate(deps, { key: template.key, ownerId: owner.id });
      await activateSequence(deps, actor, sequence.id);
      const recordIds = await someRecords(deps.store, owner.id, paths.length, template.entityType);
      const connected = await connectRecords(deps, { sequenceId: sequence.id, recordIds, actor });
      expect(connected.enrolled).toHaveLength(paths.length);
      const byRecord = new Map(connected.enrolled.map((e) => [e.recordId, e.enrollmentId]));
      const runs = paths.map((path, i) => ({
        path,
        enrollmentId: byRecord.get(recordIds[i] as string) as string,
        replied: new Set<number>(), // seqs of conditions already answered with a reply
      }));

      for (let round = 0; round < MAX_ROUNDS; round++) {
        let acted = false;
        let running = 0;
        for (const run of runs) {
          const [e] = await deps.store.engine.load([run.enrollmentId]);
          if (e === undefined) throw new Error(`no enrollment ${run.enrollmentId}`);
          const { state } = e;
          if (state.status !== 'active') continue;
          running++;
          const step = state.stepId === null ? undefined : byId.get(state.stepId);
          if (step === undefined) continue;
          const rows = await deps.store.enrollments.listSteps(run.enrollmentId);
          const row = rows.filter((r) => r.stepId === step.id).at(-1);
          // The path position: history so far tells which occurrence of the step this is.
          const pos = rows.length - 1;
          const here = run.path[pos];

          if (state.phase === 'open' && row !== undefined) {
            if (step.type === 'email') {
              await markEmailSent(deps, actor, row.id);
            } else if (step.type === 'phone_call') {
              const next = run.path[pos + 1];
              const nextStep = next === undefined ? undefined : byId.get(next.id);
              const answered =
                nextStep?.type === 'condition' && isOutcomeCondition(nextStep.if)
                  ? next?.branch === 'yes'
                  : true;
              await completeStep(deps, actor, row.id, { outcome: answered ? 'answered' : 'no_answer' });
            } else {
              await completeStep(deps, actor, row.id);
            }
            acted = true;
          } else if (state.phase === 'sending') {
            await applyEvents(deps, [
              {
                enrollmentId: run.enrollmentId,
                event: { type: 'email_sent', stepId: step.id, seq: state.seq, at: deps.clock.now() },
              },
            ]);
            acted = true;
          } else if (
            step.type === 'condition' &&
            isSignalCondition(step.if) &&
            step.if.signal === 'email_replied' &&
            here?.id === step.id &&
            here.branch === 'yes' &&
            !run.replied.has(state.seq)
          ) {
            const tested = step.if.step;
            const emailRow = rows.filter((r) => r.stepId === tested).at(-1);
            expect(emailRow, `${step.id} tests ${String(tested)}`).toBeDefined();
            await ingestSignals(deps, [
              {
                type: 'email_replied',
                enrollmentId: run.enrollmentId,
                stepRowId: emailRow?.id,
                at: deps.clock.now(),
              },
            ]);
            run.replied.add(state.seq);
            acted = true;
          }
        }
        if (running === 0) break;
        if (!acted) {
          deps.clock.advance(STEP);
          await runDue(deps, W);
        }
      }

      for (const run of runs) {
        const [e] = await deps.store.engine.load([run.enrollmentId]);
        const history = (await deps.store.enrollments.listSteps(run.enrollmentId)).map((r) => r.stepId);
        const label = run.path.map((p) => (p.branch ? `${p.id}?${p.branch}` : p.id)).join(' → ');
        expect({ status: e?.state.status, endReason: e?.state.endReason, history }, label).toEqual({
          status: 'completed',
          endReason: 'completed',
          history: run.path.map((p) => p.id),
        });
        // Each condition took the branch the path says: the step after it in history is that branch's.
        for (const [i, p] of run.path.entries()) {
          if (p.branch === undefined) continue;
          const cond = byId.get(p.id);
          if (cond?.type !== 'condition') continue;
          expect(history[i + 1], `${label} at ${p.id}`).toBe(p.branch === 'yes' ? cond.yes : cond.no);
        }
      }
    }, 60_000);
  }
});
