// Browser tests of what a black-box audit of the record screens found: step ids and types shown for a
// record waiting in a condition ("c1", "Now at: condition"), Up next's Yes/No badges over the step names,
// cancelled steps listed as "Completed steps", the Leads list scrolling sideways on a phone, a suppressed
// address that looked like any other (record page, Send email dialog), /records/lead answering "There is
// no page here", and record-page times without their zone; then the actions the audit found missing: Mark as
// sent on an email step, Pause / Resume in the sequence history, Connect to a sequence on the record page.
// One server, one browser, the test clock on a Monday 09:00 UTC (inside the seller's working hours).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { loadedWidth, nextMondayAtNine } from './support/layout.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import {
  type ApiClient,
  type StackUser,
  type StepwiseStack,
  startStepwiseStack,
} from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-records-page');
const SEQUENCE_NAME = 'Opened or not';

describe.skipIf(skipReason !== null)('[e2e] the record page and the records lists', () => {
  let stack: StepwiseStack;
  let admin: ApiClient;
  let browser: Browser;
  let manager: StackUser;
  let seller: StackUser;
  let sequenceId = '';
  const ids = new Map<string, string>();
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);
  const recordPath = (name: string) => `/records/leads/${encodeURIComponent(ids.get(name) ?? '')}`;
  const lead = async (name: string, email: string) => {
    const created = await admin.request<{ id: string }>('POST', '/api/records', {
      type: 'lead',
      name,
      email,
      company: 'Analytical Engines Ltd',
      ownerId: seller.id,
    });
    ids.set(name, created.id);
    return created.id;
  };

  const enrollmentOf = async (name: string) => {
    const record = await admin.request<{ currentSequence: { enrollmentId: string } | null }>(
      'GET',
      `/api/records/${encodeURIComponent(ids.get(name) ?? '')}`,
    );
    return record.currentSequence?.enrollmentId ?? '';
  };

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    const { now } = await stack.api.request<{ now: string }>('GET', '/api/clock');
    await stack.api.moveClock({ set: nextMondayAtNine(now) });
    admin = await stack.api.as(stack.admin.email, stack.admin.password); // a session from the new time
    manager = await admin.createUser('Mia Manager', 'mia@stepwise.test', 'sequence_manager');
    seller = await admin.createUser('Sam Seller', 'sam@stepwise.test', 'salesperson');
    const template = await admin.request<{ id: string }>('POST', '/api/email-templates', {
      name: 'Hello',
      subject: 'Hello {{ record.name }}',
      body: 'Hello {{ record.name }}, a word about engines.',
    });
    const sequence = await admin.request<{ id: string }>('POST', '/api/sequences', {
      name: SEQUENCE_NAME,
      entityType: 'lead',
      definition: {
        start: 's1',
        steps: [
          { id: 's1', type: 'email', name: 'Intro email', templateId: template.id, next: 'c1' },
          {
            id: 'c1',
            type: 'condition',
            if: { signal: 'email_opened', step: 's1' },
            within: 'P2D',
            yes: 'p1',
            no: 'a1',
          },
          { id: 'p1', type: 'phone_call', name: 'Call to book' },
          { id: 'a1', type: 'automated_email', name: 'Auto follow-up', templateId: template.id },
        ],
      },
    });
    sequenceId = sequence.id;
    await admin.request('POST', `/api/sequences/${encodeURIComponent(sequenceId)}/activate`, {});
    // Una's address unsubscribed on an older record of hers (which ran in no sequence): the list holds it.
    const oldUna = await lead('Una Old', 'una@example.com');
    await admin.request('POST', '/api/signals', {
      signals: [{ type: 'email_unsubscribed', recordId: oldUna }],
    });
    const connect = [
      await lead('Ada Lovelace', 'ada@example.com'),
      await lead('Una Unsubscribed', 'una@example.com'),
    ];
    // Leads that make the list a realistic one on a phone: long names, addresses and companies.
    for (let n = 1; n <= 3; n++)
      await admin.request('POST', '/api/records', {
        type: 'lead',
        name: `Bartholomew Featherstonehaugh ${n}`,
        email: `bartholomew.featherstonehaugh.${n}@very-long-company-domain.example.com`,
        company: 'International Business Engines Incorporated',
        ownerId: seller.id,
      });
    const answer = await admin.request<{ enrolled: unknown[] }>(
      'POST',
      `/api/sequences/${encodeURIComponent(sequenceId)}/enrollments`,
      { recordIds: connect },
    );
    expect(answer.enrolled).toHaveLength(2);
    await admin.moveClock({ advance: 'PT1M' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('Up next: the Yes and No badges sit beside the steps they lead to, not over them', async () => {
    const page = await signedIn(seller);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(recordPath('Ada Lovelace'));
    const upcoming = page.locator('.up-next-upcoming');
    await upcoming.getByText('Auto follow-up').waitFor();
    for (const [badge, step] of [
      ['Yes', 'Call to book'],
      ['No', 'Auto follow-up'],
    ] as const) {
      const row = upcoming.locator('.upcoming-branches > li').filter({ hasText: step });
      const badgeBox = await row.locator('.flow-branch').boundingBox();
      const stepBox = await row.locator('.upcoming-step').boundingBox();
      expect(badgeBox, badge).not.toBeNull();
      expect(stepBox, step).not.toBeNull();
      if (badgeBox === null || stepBox === null) return;
      // Beside: the badge ends before the step's line (its icon included) starts.
      expect(badgeBox.x + badgeBox.width, `${badge} overlaps ${step}`).toBeLessThanOrEqual(stepBox.x);
    }
    await page.context().close();
  });

  test('the record page says which time zone its times are in', async () => {
    const page = await signedIn(seller);
    await page.goto(recordPath('Ada Lovelace'));
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    await page.getByText('Times are in UTC.').waitFor();
    await page.context().close();
  });

  test('a suppressed address is marked on the record page and warned about before sending', async () => {
    const page = await signedIn(seller);
    await page.goto(recordPath('Ada Lovelace'));
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: /Send email/ }).waitFor();
    expect(await page.getByText('emails to this address are not sent').count()).toBe(0);

    await page.goto(recordPath('Una Unsubscribed'));
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText('Unsubscribed: emails to this address are not sent.').waitFor();
    expect(await seriousViolations(page, 'record-suppressed')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'record-suppressed.png'), fullPage: true });

    await page.getByRole('button', { name: /Send email/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Email to Una Unsubscribed' });
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'Unsubscribed: emails to this address are not sent' })
      .waitFor();
    await dialog.getByLabel('Subject').waitFor();
    await page.screenshot({ path: join(LOG_DIR, 'send-email-suppressed.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.context().close();
  });

  test('a record waiting in a condition: what it waits for, on the record and in Connected records', async () => {
    const page = await signedIn(seller);
    await page.goto(recordPath('Ada Lovelace'));
    await page.getByRole('button', { name: /Send email/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Email to Ada Lovelace' });
    await expect.poll(() => dialog.getByLabel('Subject').inputValue()).toBe('Hello Ada Lovelace');
    expect(await dialog.getByRole('alert').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Send email' }).click();
    await dialog.waitFor({ state: 'detached' });

    const waiting = 'Waiting to see if they opened “Intro email”';
    const history = page.getByRole('region', { name: 'Sequence history' });
    await history.getByText(`Now at: ${waiting}`).waitFor();
    expect(await history.getByText(/Now at: (condition|c1)\b/).count()).toBe(0);
    await page.context().close();

    const managerPage = await signedIn(manager);
    await managerPage.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=records`);
    const row = managerPage.getByRole('row').filter({ hasText: 'Ada Lovelace' });
    await row.getByRole('cell', { name: waiting }).waitFor();
    expect(await managerPage.getByRole('cell', { name: 'c1', exact: true }).count()).toBe(0);
    await managerPage.context().close();
  });

  test('the steps of a run are listed by what happened to them: cancelled ones apart', async () => {
    await admin.request('POST', `/api/sequences/${encodeURIComponent(sequenceId)}/enrollments/disconnect`, {
      recordIds: [ids.get('Una Unsubscribed')],
    });
    const page = await signedIn(seller);
    await page.goto(recordPath('Una Unsubscribed'));
    const history = page.getByRole('region', { name: 'Sequence history' });
    await history.getByRole('button', { name: 'Show steps' }).click();
    await history.getByRole('heading', { name: 'Cancelled steps' }).waitFor();
    const cancelled = history.locator('.history-cancelled');
    await cancelled.getByText('Intro email').waitFor();
    await cancelled.getByText('Cancelled', { exact: true }).waitFor();
    expect(await history.getByRole('heading', { name: 'Completed steps' }).count()).toBe(0);
    await history.getByRole('heading', { name: 'Past steps' }).waitFor();
    await history.getByText('Nothing done yet.').waitFor();

    // Ada's sent email is a past step, and nothing of hers is cancelled.
    await page.goto(recordPath('Ada Lovelace'));
    const upNext = page.getByRole('region', { name: 'Up next' });
    await upNext.getByRole('heading', { name: 'Past steps' }).waitFor();
    await upNext.locator('.history-completed').getByText('Intro email').waitFor();
    expect(await upNext.getByRole('heading', { name: 'Cancelled steps' }).count()).toBe(0);
    await page.context().close();
  });

  test('/records/lead (singular) opens the Leads list', async () => {
    const page = await signedIn(seller);
    for (const [singular, plural, heading] of [
      ['lead', 'leads', 'Leads'],
      ['opportunity', 'opportunities', 'Opportunities'],
    ] as const) {
      await page.goto(`/records/${singular}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/records/${plural}`);
    }
    await page.context().close();
  });

  test('the Leads list and a record fit a 390 px wide phone', async () => {
    const page = await signedIn(seller);
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    const check = async (name: string) => {
      const width = await loadedWidth(page);
      if (width > 391) wide.push(`${name}: ${width} px`);
      await page.screenshot({ path: join(LOG_DIR, `phone-${name}.png`), fullPage: true });
    };
    await page.goto('/records/leads');
    await page.getByRole('link', { name: 'Bartholomew Featherstonehaugh 1' }).waitFor();
    await check('leads');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    await check('record');
    expect(wide, `pages wider than the 390 px screen:\n${wide.join('\n')}`).toEqual([]);
    await page.context().close();
  });

  test('an email sent from the seller’s own mail client is marked as sent from Up next', async () => {
    const mona = await lead('Mona Mailclient', 'mona@example.com');
    await admin.request('POST', `/api/sequences/${encodeURIComponent(sequenceId)}/enrollments`, {
      recordIds: [mona],
    });
    await admin.moveClock({ advance: 'PT1M' });
    const page = await signedIn(seller);
    await page.goto(recordPath('Mona Mailclient'));
    const upNext = page.getByRole('region', { name: 'Up next' });
    await upNext.getByRole('button', { name: 'Mark as sent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mark as sent: Intro email' });
    await dialog.getByText('records the email as sent outside Stepwise').waitFor();
    await dialog.getByText('waits for one as usual').waitFor();
    expect(await seriousViolations(page, 'mark-as-sent')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'mark-as-sent.png') });
    await dialog.getByRole('button', { name: 'Mark as sent' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Marked the email to Mona Mailclient as sent outside Stepwise.').waitFor();
    await upNext.locator('.history-completed').getByText('Intro email').waitFor();
    const history = page.getByRole('region', { name: 'Sequence history' });
    await history.getByText('Now at: Waiting to see if they opened “Intro email”').waitFor();
    await page.context().close();
  });

  test('the running sequence pauses (after saying what that does) and resumes from the history', async () => {
    const page = await signedIn(seller);
    await page.goto(recordPath('Mona Mailclient'));
    const history = page.getByRole('region', { name: 'Sequence history' });
    await history.getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause the sequence' });
    await dialog
      .getByText('No step of this sequence comes due for the record until you resume it.')
      .waitFor();
    await dialog.getByText('waits and time limits shift by the time it was paused').waitFor();
    expect(await seriousViolations(page, 'pause-sequence')).toEqual([]);
    await dialog.getByRole('button', { name: 'Pause' }).click();
    await dialog.waitFor({ state: 'detached' });
    await history.locator('.badge-enrollment-paused').getByText('Paused').waitFor();
    const paused = await admin.request<{ status: string }>(
      'GET',
      `/api/enrollments/${encodeURIComponent(await enrollmentOf('Mona Mailclient'))}`,
    );
    expect(paused.status).toBe('paused');

    await history.getByRole('button', { name: 'Resume' }).click();
    await history.getByRole('button', { name: 'Pause' }).waitFor();
    await history.locator('.badge-enrollment-active').getByText('Active').waitFor();
    await page.context().close();
  });

  test('a record in no sequence is connected to one from its own page', async () => {
    await lead('Nell Newcomer', 'nell@example.com');
    const page = await signedIn(seller);
    await page.goto(recordPath('Nell Newcomer'));
    const upNext = page.getByRole('region', { name: 'Up next' });
    await upNext.getByText('Use Connect to a sequence above to start one for this record.').waitFor();
    expect(await upNext.getByText('from the leads list').count()).toBe(0);
    await page.getByRole('button', { name: 'Connect to a sequence' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect sequence' });
    await dialog.getByRole('radio', { name: new RegExp(SEQUENCE_NAME) }).check();
    expect(await seriousViolations(page, 'record-connect-sequence')).toEqual([]);
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    await dialog.getByText('Connected 1 of 1 record.').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Disconnect from sequence' }).waitFor();
    expect(await page.getByRole('button', { name: 'Connect to a sequence' }).count()).toBe(0);
    const history = page.getByRole('region', { name: 'Sequence history' });
    await history.getByText(SEQUENCE_NAME).waitFor();
    await page.context().close();
  });

  test('a seller edits a record from its own page: a number learnt on a call, saved with a notice', async () => {
    const page = await signedIn(seller);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(recordPath('Ada Lovelace'));
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Ada Lovelace' });
    // A salesperson's record stays theirs: no owner to pick.
    expect(await dialog.getByLabel('Owner').count()).toBe(0);
    await dialog.getByLabel('Phone').fill('+44 20 7946 0123');
    expect(await seriousViolations(page, 'record-edit')).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Saved the record’s details.' }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('link', { name: '+44 20 7946 0123' }).waitFor();
    const saved = await admin.request<{ phone: string }>(
      'GET',
      `/api/records/${encodeURIComponent(ids.get('Ada Lovelace') ?? '')}`,
    );
    expect(saved.phone).toBe('+44 20 7946 0123');
    await page.context().close();

    // A manager may hand the record to another seller from the same dialog.
    const asManager = await signedIn(manager);
    await asManager.goto(recordPath('Ada Lovelace'));
    await asManager.getByRole('button', { name: 'Edit', exact: true }).click();
    const managerDialog = asManager.getByRole('dialog', { name: 'Edit Ada Lovelace' });
    await managerDialog.getByLabel('Owner').waitFor();
    await managerDialog.getByRole('button', { name: 'Cancel' }).click();
    await managerDialog.waitFor({ state: 'detached' });
    await asManager.context().close();
  });

  test('no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
