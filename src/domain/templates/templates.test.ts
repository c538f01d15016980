import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import {
  type EmailStep,
  type EntityType,
  isOutcomeCondition,
  isSignalCondition,
  type SequenceDefinition,
  type Step,
  successors,
} from '../definition.js';
import { summarize } from '../summary.js';
import { validateForActivation } from '../validate-definition.js';
import {
  builtInTemplateRef,
  findSequenceTemplate,
  listBuiltInTemplateRefs,
  parseBuiltInTemplateRef,
  replaceTemplateIds,
  SEQUENCE_TEMPLATES,
  type SequenceTemplate,
} from './index.js';

/** The gallery as the seed (Dynamics' "Sequence templates" page) describes it, in its order. */
const EXPECTED: {
  key: string;
  name: string;
  entityType: EntityType;
  stepCount: number;
  durationDays: number;
}[] = [
  {
    key: 'follow-up-no-show',
    name: "Follow up when contacts don't show up",
    entityType: 'contact',
    stepCount: 7,
    durationDays: 5,
  },
  {
    key: 'high-volume-outbound',
    name: 'High volume outbound prospecting',
    entityType: 'lead',
    stepCount: 7,
    durationDays: 9,
  },
  {
    key: 'invite-to-event',
    name: 'Invite to an upcoming event',
    entityType: 'contact',
    stepCount: 6,
    durationDays: 5,
  },
  {
    key: 'product-demo-meeting',
    name: 'Meeting for product demo requests',
    entityType: 'opportunity',
    stepCount: 9,
    durationDays: 5,
  },
  {
    key: 'account-renewal',
    name: 'Upcoming account renewal',
    entityType: 'account',
    stepCount: 13,
    durationDays: 50,
  },
  { key: 'webinar-follow-up', name: 'Webinar follow up', entityType: 'lead', stepCount: 10, durationDays: 7 },
];

/**
 * Every path from the start to an end, one line per path, yes before no. Conditions read `replied?` or
 * `answered?` only when they test the email or call just before them on that path, so a line also
 * proves what each condition looks at.
 */
const BRANCHES: Record<string, string[]> = {
  'follow-up-no-show': [
    'email → replied? yes → phone_call',
    'email → replied? no → phone_call → answered? yes → task',
    'email → replied? no → phone_call → answered? no → wait P2D → email → replied? yes → phone_call',
    'email → replied? no → phone_call → answered? no → wait P2D → email → replied? no → task',
  ],
  'high-volume-outbound': [
    'automated_email → wait P2D → phone_call → answered? yes → linkedin_connect',
    'automated_email → wait P2D → phone_call → answered? no → automated_email → wait P3D → phone_call → answered? yes → linkedin_connect',
    'automated_email → wait P2D → phone_call → answered? no → automated_email → wait P3D → phone_call → answered? no → wait P2D → phone_call → answered? yes → linkedin_connect',
    'automated_email → wait P2D → phone_call → answered? no → automated_email → wait P3D → phone_call → answered? no → wait P2D → phone_call → answered? no → wait P2D → set status=disqualified',
  ],
  'invite-to-event': [
    'email → replied? yes → email',
    'email → replied? no → email → replied? yes → email',
    'email → replied? no → email → replied? no → phone_call → answered? yes → email',
    'email → replied? no → email → replied? no → phone_call → answered? no → set invite_to_future_events=true',
  ],
  'product-demo-meeting': [
    'email → linkedin_research → linkedin_connect → wait P1D → email → replied? yes → task',
    'email → linkedin_research → linkedin_connect → wait P1D → email → replied? no → phone_call → answered? yes → task',
    'email → linkedin_research → linkedin_connect → wait P1D → email → replied? no → phone_call → answered? no → wait P2D → phone_call → answered? yes → task',
    'email → linkedin_research → linkedin_connect → wait P1D → email → replied? no → phone_call → answered? no → wait P2D → phone_call → answered? no → set status=disqualified',
  ],
  'account-renewal': [
    'task → email → wait P7D → task → phone_call → answered? yes → task → email → wait P14D → task → task → phone_call → email → wait P7D → phone_call → wait P21D → task → wait P1D → email',
    'task → email → wait P7D → task → phone_call → answered? no → email → wait P14D → task → task → phone_call → email → wait P7D → phone_call → wait P21D → task → wait P1D → email',
  ],
  'webinar-follow-up': [
    'automated_email → replied? yes → email → set status=qualified → task',
    'automated_email → replied? no → email → replied? yes → email → set status=qualified → task',
    'automated_email → replied? no → email → replied? no → phone_call → answered? yes → email → set status=qualified → task',
    'automated_email → replied? no → email → replied? no → phone_call → answered? no → wait P2D → email → replied? yes → email → set status=qualified → task',
    'automated_email → replied? no → email → replied? no → phone_call → answered? no → wait P2D → email → replied? no → set status=disqualified',
  ],
};

function paths(def: SequenceDefinition): string[] {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const out: string[] = [];
  const walk = (id: string, trail: string[], visited: Step[]) => {
    const step = byId.get(id);
    if (step === undefined) throw new Error(`no step ${id}`);
    if (step.type === 'condition') {
      const question = conditionLabel(step, visited);
      walk(step.yes ?? '', [...trail, `${question} yes`], [...visited, step]);
      walk(step.no ?? '', [...trail, `${question} no`], [...visited, step]);
      return;
    }
    const here = [...trail, stepLabel(step)];
    const [next] = successors(step);
    if (next === undefined) out.push(here.join(' → '));
    else walk(next, here, [...visited, step]);
  };
  walk(def.start, [], []);
  return out;
}

function stepLabel(step: Step): string {
  if (step.type === 'wait') return `wait ${step.duration}`;
  if (step.type === 'update_field') return `set ${step.field}=${String(step.value)}`;
  return step.type;
}

function conditionLabel(step: Step & { type: 'condition' }, visited: Step[]): string {
  const c = step.if;
  const last = (types: string[]) => visited.filter((s) => types.includes(s.type)).at(-1)?.id;
  if (isSignalCondition(c) && c.signal === 'email_replied' && c.step === last(['email', 'automated_email'])) {
    return 'replied?';
  }
  if (isOutcomeCondition(c) && c.outcome.join() === 'answered' && c.step === last(['phone_call']))
    return 'answered?';
  return `${JSON.stringify(c)}?`;
}

function emailSteps(t: SequenceTemplate) {
  return t.definition.steps.filter((s): s is EmailStep => s.type === 'email' || s.type === 'automated_email');
}

describe('sequence templates', () => {
  it('are the six Dynamics templates, in order, with unique keys', () => {
    expect(SEQUENCE_TEMPLATES.map((t) => t.key)).toEqual(EXPECTED.map((e) => e.key));
    expect(new Set(SEQUENCE_TEMPLATES.map((t) => t.key)).size).toBe(SEQUENCE_TEMPLATES.length);
  });

  it('finds a template by key, and nothing for an unknown key', () => {
    expect(findSequenceTemplate('account-renewal')?.name).toBe('Upcoming account renewal');
    expect(findSequenceTemplate('no-such-template')).toBeUndefined();
  });

  it('are frozen, so nobody edits the shared gallery by accident', () => {
    const template = SEQUENCE_TEMPLATES[0] as SequenceTemplate;
    expect(Object.isFrozen(template.definition.steps[0])).toBe(true);
    expect(Object.isFrozen(template.emailTemplates)).toBe(true);
  });

  for (const expected of EXPECTED) {
    describe(expected.key, () => {
      const template = findSequenceTemplate(expected.key) as SequenceTemplate;

      it('has the name and record type of the seed', () => {
        expect(template).toBeDefined();
        expect({ name: template.name, entityType: template.entityType }).toEqual({
          name: expected.name,
          entityType: expected.entityType,
        });
        expect(template.description.length).toBeGreaterThan(40);
      });

      it(`has ${expected.stepCount} steps and takes ${expected.durationDays} days`, () => {
        expect(summarize(template.definition)).toEqual({
          stepCount: expected.stepCount,
          durationDays: expected.durationDays,
        });
      });

      it('can be activated as it is', () => {
        expect(validateForActivation(template.definition)).toEqual([]);
      });

      it('branches as the seed describes', () => {
        expect(template.definition.steps.some((s) => s.type === 'condition')).toBe(true);
        expect(paths(template.definition)).toEqual(BRANCHES[expected.key]);
      });

      it('keeps records that reply in the sequence, so reply branches can run', () => {
        expect(template.definition.options.exitOnReply).toBe(false);
      });

      it('names and describes every step for the work list', () => {
        for (const step of template.definition.steps) {
          expect(step.name?.trim(), step.id).toBeTruthy();
          expect(step.description?.length ?? 0, step.id).toBeGreaterThan(20);
        }
      });

      it("points every email step at one of the template's own emails, and uses each of them", () => {
        const keys = template.emailTemplates.map((e) => e.key);
        expect(new Set(keys).size).toBe(keys.length);
        const refs = emailSteps(template).map((s) => s.templateId);
        for (const ref of refs) {
          const parsed = parseBuiltInTemplateRef(ref ?? '');
          expect(parsed?.templateKey, ref).toBe(template.key);
          expect(keys, ref).toContain(parsed?.emailKey);
        }
        expect(listBuiltInTemplateRefs(template.definition).sort()).toEqual(
          keys.map((k) => builtInTemplateRef(template.key, k)).sort(),
        );
      });
    });
  }

  it('follow-up-no-show: a reply to the missed-meeting email leads to a phone call', () => {
    const def = (findSequenceTemplate('follow-up-no-show') as SequenceTemplate).definition;
    const first = def.steps.find((s) => s.id === def.start);
    const condition = def.steps.find(
      (s) => s.type === 'condition' && first !== undefined && s.id === successors(first)[0],
    );
    const yes = condition?.type === 'condition' ? def.steps.find((s) => s.id === condition.yes) : undefined;
    expect(first?.type).toBe('email');
    expect(yes?.type).toBe('phone_call');
  });
});

describe('built-in emails', () => {
  const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  const filled = {
    record: {
      name: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      fields: {
        contact_name: 'Ada',
        meeting_topic: 'automating your renewals',
        placeholder_slot: 'Thursday at 10:00',
        business_goal: 'shorten their sales cycle',
        event_name: 'Sales Summit 2027',
        event_date: '12 March 2027',
        event_location: 'Lisbon',
        event_url: 'https://example.com/summit',
        event_topic: 'forecasting',
        product: 'Stepwise',
        subscription: 'Stepwise Enterprise subscription',
        renewal_date: '31 March 2027',
        quote_url: 'https://example.com/quote/42',
        webinar_name: 'Pipeline in practice',
        recording_url: 'https://example.com/recording',
      },
    },
    sender: { name: 'Sam Seller', email: 'sam@example.com' },
    sequence: { name: 'Template test' },
  };
  // The API requires a record name; company and fields are optional.
  const bare = { record: { name: 'Grace', fields: {} }, sender: filled.sender, sequence: filled.sequence };

  for (const template of SEQUENCE_TEMPLATES) {
    for (const email of template.emailTemplates) {
      it(`${template.key}/${email.key} renders with and without record fields`, async () => {
        for (const context of [filled, bare]) {
          const subject = await liquid.parseAndRender(email.subject, context);
          const body = await liquid.parseAndRender(email.body, context);
          for (const text of [subject, body]) {
            expect(text).not.toMatch(/{{|{%|undefined|\s,| {2}/);
            expect(text).not.toMatch(/\b(at|like) your team\b|\byour our\b/); // a default read in the wrong place
          }
          expect(body).toMatch(/^Hi \S.*,\n\n/);
          expect(body.trimEnd()).toMatch(/Sam Seller\nsam@example\.com$/);
        }
      });
    }
  }

  it('greet a nameless record as "there"', async () => {
    const email = (SEQUENCE_TEMPLATES[0] as SequenceTemplate).emailTemplates[0];
    const body = await liquid.parseAndRender(email?.body ?? '', { ...bare, record: { name: '' } });
    expect(body.startsWith('Hi there,')).toBe(true);
  });
});

describe('template references', () => {
  it('parses only well-formed builtin references', () => {
    expect(parseBuiltInTemplateRef(builtInTemplateRef('invite-to-event', 'invitation'))).toEqual({
      templateKey: 'invite-to-event',
      emailKey: 'invitation',
    });
    for (const ref of ['tpl_1', 'builtin:', 'builtin:a', 'builtin:a/', 'builtin:/b', 'builtin:a/b/c']) {
      expect(parseBuiltInTemplateRef(ref), ref).toBeUndefined();
    }
  });

  it('lists each builtin reference once and ignores real template ids', () => {
    const def: SequenceDefinition = {
      start: 'a',
      options: { exitOnReply: false, workingHours: 'owner', skipNonWorkingDays: false, tracking: true },
      steps: [
        { id: 'a', type: 'email', templateId: 'builtin:x/one', next: 'b' },
        { id: 'b', type: 'automated_email', templateId: 'tpl_7', next: 'c' },
        { id: 'c', type: 'email', templateId: 'builtin:x/one', next: 'd' },
        { id: 'd', type: 'email' },
      ],
    };
    expect(listBuiltInTemplateRefs(def)).toEqual(['builtin:x/one']);
  });

  it('rewrites references to real ids in a copy that still activates', () => {
    const template = findSequenceTemplate('webinar-follow-up') as SequenceTemplate;
    const refs = listBuiltInTemplateRefs(template.definition);
    const ids = new Map(refs.map((ref, i) => [ref, `tpl_${i}`]));
    const copy = replaceTemplateIds(template.definition, ids);

    expect(listBuiltInTemplateRefs(copy)).toEqual([]);
    expect(emailSteps({ ...template, definition: copy }).map((s) => s.templateId)).toEqual(
      emailSteps(template).map((s) => ids.get(s.templateId ?? '')),
    );
    expect(listBuiltInTemplateRefs(template.definition)).toEqual(refs);
    expect(validateForActivation(copy)).toEqual([]);
    expect(summarize(copy)).toEqual(summarize(template.definition));
    copy.steps.pop(); // the copy is the caller's to edit
  });
});
