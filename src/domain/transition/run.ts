// One transition in progress: a private copy of the state, the effects so far, and the step machinery
// (enter a step, let due work happen, close a step, end the enrollment). Mutates only its own copy.
import {
  type ConditionStep,
  MANUAL_ACTIVITY_TYPES,
  type SequenceDefinition,
  type Step,
  testsSignal,
} from '../definition.js';
import {
  type Effect,
  type EndReason,
  type EnrollmentState,
  type StepClosedState,
  type StepFacts,
  TIMED_PHASES,
  type TransitionContext,
} from '../enrollment.js';
import { indexSteps, type StepGraph, stepById } from '../step-graph.js';
import { evaluate, testedFields, testedSteps, type Verdict } from './conditions.js';
import { conditionDeadline, emailSendAt, manualDue, waitEnd } from './timing.js';

/** What a transition needs to know about a definition, computed once per definition object. */
interface DefinitionIndex {
  graph: StepGraph;
  /** Steps some condition tests: the only ones whose signals and outcomes the state keeps. */
  tested: Set<string>;
}

// A cache keyed by the (immutable) definition object: it changes no result, only avoids re-indexing
// on every transition of the same sequence version.
const indexes = new WeakMap<SequenceDefinition, DefinitionIndex>();

function indexOf(definition: SequenceDefinition): DefinitionIndex {
  let index = indexes.get(definition);
  if (index === undefined) {
    const tested = new Set<string>();
    for (const step of definition.steps) {
      if (step.type === 'condition') for (const id of testedSteps(step.if)) tested.add(id);
    }
    index = { graph: indexSteps(definition), tested };
    indexes.set(definition, index);
  }
  return index;
}

const MANUAL: ReadonlySet<string> = new Set(MANUAL_ACTIVITY_TYPES);

export function isManual(step: Step | undefined): boolean {
  return step !== undefined && MANUAL.has(step.type);
}

export function nextOf(step: Step): string | undefined {
  return step.type === 'condition' || step.type === 'advance_to_sequence' ? undefined : step.next;
}

export class Run {
  readonly s: EnrollmentState;
  readonly effects: Effect[] = [];
  readonly index: DefinitionIndex;
  /** Steps entered in this transition: an acyclic definition can't enter more than it has. */
  private entered = 0;
  /**
   * Fields this transition's `update_field` steps wrote: a condition later in the same transition reads
   * them over the record's (which the engine loaded before the transition, and writes after it).
   */
  private fieldUpdates: Record<string, unknown> | null = null;

  constructor(
    readonly definition: SequenceDefinition,
    state: EnrollmentState,
    readonly ctx: TransitionContext,
  ) {
    this.s = { ...state };
    this.index = indexOf(definition);
  }

  get now(): number {
    return this.ctx.now;
  }

  currentStep(): Step | undefined {
    return this.s.stepId === null ? undefined : this.step(this.s.stepId);
  }

  /** The step with this id in the definition (the first, should ids repeat). */
  step(id: string): Step | undefined {
    return stepById(this.index.graph, id);
  }

  /** Steps with distinct ids. */
  get stepCount(): number {
    return this.index.graph.indexOf.size;
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  /** Records a fact about a step, only when a condition will read it (keeps the state small). */
  setFact(stepId: string, patch: StepFacts): boolean {
    if (!this.index.tested.has(stepId)) return false;
    const old = this.s.facts[stepId] ?? {};
    const merged: StepFacts = { ...old, ...patch };
    const changed = (Object.keys(patch) as (keyof StepFacts)[]).some((k) => old[k] !== merged[k]);
    if (!changed) return false;
    this.s.facts = { ...this.s.facts, [stepId]: merged };
    return true;
  }

  close(
    step: Step,
    state: StepClosedState,
    at: number,
    extra: Partial<Extract<Effect, { type: 'step.closed' }>> = {},
  ): void {
    this.emit({ type: 'step.closed', stepId: step.id, seq: this.s.seq, state, at, ...extra });
    this.emit({ type: 'stats.increment', stepId: step.id, counter: state });
    this.s.phase = null;
    this.s.due = null;
    this.s.readyAt = null;
  }

  /** Enters `nextId` at `t` and keeps going through steps that need no time, until the enrollment rests or ends. */
  moveOn(nextId: string | undefined, t: number): void {
    let id = nextId;
    let at = t;
    for (;;) {
      if (id === undefined) {
        this.end('completed', at);
        return;
      }
      const step = this.step(id);
      if (step === undefined) {
        this.fail(`step ${id} does not exist`, id);
        return;
      }
      if (++this.entered > this.stepCount) {
        this.fail('the definition loops', id);
        return;
      }
      const continued = this.enter(step, at);
      if (continued === undefined) return;
      [id, at] = continued;
    }
  }

  /** Returns where to go next for a step that ends at once, or undefined when the enrollment rests here. */
  private enter(step: Step, t: number): [string | undefined, number] | undefined {
    const s = this.s;
    s.seq += 1;
    s.stepId = step.id;
    s.phase = null;
    s.due = null;
    s.readyAt = null;
    const entered = (dueAt: number) => {
      this.emit({
        type: 'step.entered',
        stepId: step.id,
        stepType: step.type,
        seq: s.seq,
        proposedDueAt: t,
        dueAt,
      });
      this.emit({ type: 'stats.increment', stepId: step.id, counter: 'reached' });
    };
    switch (step.type) {
      case 'email':
      case 'phone_call':
      case 'task':
      case 'linkedin_research':
      case 'linkedin_get_introduced':
      case 'linkedin_connect':
      case 'linkedin_inmail': {
        const due = manualDue(this.ctx, this.definition.options, t);
        entered(due);
        s.phase = 'scheduled';
        s.due = due;
        s.readyAt = t;
        return undefined;
      }
      case 'automated_email': {
        const sendAt = emailSendAt(this.ctx, this.definition.options, t);
        entered(sendAt);
        this.emit({
          type: 'email.queue',
          stepId: step.id,
          seq: s.seq,
          templateId: step.templateId ?? null,
          sendAt,
        });
        s.phase = 'sending';
        s.due = sendAt;
        return undefined;
      }
      case 'wait': {
        const end = waitEnd(this.ctx, this.definition.options, t, step.duration);
        entered(end);
        s.phase = 'waiting';
        s.due = end;
        return undefined;
      }
      case 'condition': {
        if (!testsSignal(step.if)) {
          entered(t);
          return this.decide(step, this.verdict(step, t) === true, t);
        }
        const deadline = conditionDeadline(this.ctx, t, step.within);
        entered(deadline);
        s.phase = 'awaiting_signal';
        s.due = deadline;
        const early = this.early(step, t);
        return early === 'pending' ? undefined : this.decide(step, early, t);
      }
      case 'update_field':
        entered(t);
        this.fieldUpdates = { ...this.fieldUpdates, [step.field]: step.value };
        this.emit({
          type: 'field.update',
          stepId: step.id,
          seq: s.seq,
          field: step.field,
          value: step.value,
        });
        this.close(step, 'completed', t);
        return [step.next, t];
      case 'advance_to_sequence':
        entered(t);
        this.close(step, 'completed', t);
        this.emit({ type: 'advance.start', sequenceId: step.sequenceId });
        this.end('advanced_to_other_sequence', t);
        return undefined;
      default:
        step satisfies never;
        this.fail('unknown step type', (step as Step).id);
        return undefined;
    }
  }

  private verdict(step: ConditionStep, asOf: number): Verdict {
    if (testsSignal(step.if)) this.ctx.onSignalFactsRead?.();
    return evaluate(step.if, { facts: this.s.facts, fields: this.fieldsFor(step), asOf });
  }

  /**
   * A signal condition's decision before its deadline, or 'pending'. With `moveOnSignal`, any certain
   * verdict. By default a `yes` waits for the deadline (Dynamics), but a certain `no` (`all` with an email
   * that was skipped, failed or suppressed, so can never be engaged with) is taken at once: waiting could
   * not change it. The pure check runs first, so facts are read (`onSignalFactsRead`) only when it decides.
   */
  private early(step: ConditionStep, asOf: number): Verdict {
    if (step.moveOnSignal === true) return this.verdict(step, asOf);
    // A field part is never false before the deadline (the record may change), so the check needs no fields.
    if (evaluate(step.if, { facts: this.s.facts, fields: undefined, asOf }) !== false) return 'pending';
    // Stored signals can only make a part true: with them folded in (the engine re-runs), it may wait after all.
    return this.verdict(step, asOf) === false ? false : 'pending';
  }

  /**
   * The record's fields, under what this transition wrote. The record's are read only when the condition
   * reads a field this transition did not write: connect-bulk.ts watches that read to group starts.
   */
  private fieldsFor(step: ConditionStep): Record<string, unknown> | undefined {
    const written = this.fieldUpdates;
    if (written === null) return this.ctx.record?.fields;
    if (testedFields(step.if).every((field) => Object.hasOwn(written, field))) return written;
    return { ...this.ctx.record?.fields, ...written };
  }

  private decide(step: ConditionStep, verdict: true | false, t: number): [string | undefined, number] {
    const branch = verdict ? 'yes' : 'no';
    this.close(step, 'completed', t, { branch });
    this.emit({ type: 'stats.increment', stepId: step.id, counter: branch });
    return [verdict ? step.yes : step.no, t];
  }

  /**
   * Lets everything that has fallen due by `now` happen, each at its own due time (a late worker
   * catches up, and no step runs before its time), then sets `dueAt` for the engine's index.
   */
  settle(): void {
    const s = this.s;
    for (let guard = 0; s.status === 'active' && guard <= this.stepCount + 1; guard++) {
      const step = this.currentStep();
      if (step === undefined || s.phase === null) break;
      if (s.phase === 'done') {
        this.moveOn(nextOf(step), this.now);
        continue;
      }
      const due = s.due;
      if (due === null) break;
      if (s.phase === 'scheduled') {
        if (due > this.now) break;
        s.phase = 'open';
        s.readyAt = null;
        this.emit({ type: 'step.opened', stepId: step.id, seq: s.seq, at: due, dueAt: due });
        break;
      }
      if (s.phase === 'waiting' && step.type === 'wait') {
        if (due > this.now) break;
        this.close(step, 'completed', due);
        this.moveOn(step.next, due);
        continue;
      }
      if (s.phase === 'awaiting_signal' && step.type === 'condition') {
        if (due <= this.now) {
          this.moveOn(...this.decide(step, this.verdict(step, due) === true, due));
          continue;
        }
        const verdict = this.early(step, this.now);
        if (verdict === 'pending') break;
        this.moveOn(...this.decide(step, verdict, this.now));
        continue;
      }
      break;
    }
    s.dueAt =
      s.status === 'active' && s.due !== null && s.phase !== null && TIMED_PHASES.includes(s.phase)
        ? s.due
        : null;
  }

  /** Ends the enrollment; a step still in progress is cancelled (and its queued email dropped). */
  end(reason: EndReason, at: number): void {
    const s = this.s;
    const step = this.currentStep();
    if (step !== undefined && s.phase !== null && s.phase !== 'done') {
      if (s.phase === 'sending') this.emit({ type: 'email.cancel', stepId: step.id, seq: s.seq });
      this.close(step, 'cancelled', at, { reason });
    }
    s.status =
      reason === 'completed' || reason === 'advanced_to_other_sequence' ? 'completed' : 'disconnected';
    s.endReason = reason;
    s.phase = null;
    s.due = null;
    s.dueAt = null;
    s.pausedAt = null;
    s.readyAt = null;
    this.emit({ type: 'enrollment.ended', reason, at });
  }

  fail(message: string, stepId: string | null): void {
    const s = this.s;
    s.status = 'error';
    s.phase = null;
    s.due = null;
    s.dueAt = null;
    s.pausedAt = null;
    s.readyAt = null;
    this.emit({ type: 'enrollment.error', message, stepId });
  }
}
