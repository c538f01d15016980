// Browser tests of what a black-box audit of My work found: a salesperson landed on Sequences after
// sign-in; the tab and the filters were lost on a reload; a snoozed step looked like any scheduled one
// and could not be snoozed again; and a sales manager could not open a seller's work list.
// One server, one browser, the test clock on a Monday 09:00 UTC; each test signs in as it needs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { nextMondayAtNine } from './support/layout.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import {
  type ApiClient,
  type StackUser,
  type StepwiseStack,
  startStepwiseStack,
} from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-my-work');
const WEEK = 7 * 24 * 3_600_000;

interface WorkItemBody {
  id: string;
  record: { name: string };
  state: string;
  dueAt: string;
  snoozedAt: string | null;
}

describe.skipIf(skipReason !== null)('[e2e] My work: home, address, snoozed steps, a seller’s list', () => {
  let stack: StepwiseStack;
  let browser: Browser;
  let manager: StackUser;
  let seller: StackUser;
  let asSeller: ApiClient;
  let monday = '';
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);
  const params = (page: Page) => new URL(page.url()).searchParams;
  const accessible = async (page: Page, screen: string) => {
    const problems = await seriousViolations(page, screen);
    expect.soft(problems, `serious accessibility violations:\n${problems.join('\n\n')}`).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    const { now } = await stack.api.request<{ now: string }>('GET', '/api/clock');
    monday = nextMondayAtNine(now);
    await stack.api.moveClock({ set: monday });
    const admin = await stack.api.as(stack.admin.email, stack.admin.password);
    manager = await admin.createUser('Mona Manager', 'mona@stepwise.test', 'sales_manager');
    seller = await admin.createUser('Sam Seller', 'sam@stepwise.test', 'salesperson');
    const tess = await admin.createUser('Tess Teammate', 'tess@stepwise.test', 'salesperson');
    await admin.request('PATCH', `/api/users/${tess.id}`, { timezone: 'Asia/Tokyo' });
    asSeller = await stack.api.as(seller.email, seller.password);

    // A call then a task; three leads of the seller, connected now: their calls are open today.
    const sequence = await admin.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Call first',
      entityType: 'lead',
      definition: {
        start: 'p1',
        steps: [
          { id: 'p1', type: 'phone_call', name: 'Call them', next: 't1' },
          { id: 't1', type: 'task', name: 'Send the deck' },
        ],
      },
    });
    await admin.request('POST', `/api/sequences/${sequence.id}/activate`, {});
    const recordIds: string[] = [];
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']) {
      const record = await admin.request<{ id: string }>('POST', '/api/records', {
        type: 'lead',
        name,
        email: `${name.split(' ')[0]?.toLowerCase()}@example.test`,
        ownerId: seller.id,
      });
      recordIds.push(record.id);
    }
    await admin.request('POST', `/api/sequences/${sequence.id}/enrollments`, { recordIds });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a salesperson’s home is My work, after sign-in and from the logo; a manager’s stays Sequences', async () => {
    const page = await signedIn(seller);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/my-work');
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    // A salesperson has no seller to pick: the API shows them only their own list.
    expect(await page.getByLabel('Seller').count()).toBe(0);
    await page.goto('/records/leads');
    await page.locator('a.brand').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/my-work');
    await page.context().close();

    const managerPage = await signedIn(manager);
    await expect.poll(() => new URL(managerPage.url()).pathname).toBe('/sequences');
    await managerPage.context().close();
  });

  test('the tab and the filters are kept in the address, through a reload; filters replace the entry', async () => {
    const page = await signedIn(seller);
    await page.getByRole('article', { name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('tab', { name: /^Upcoming/ }).click();
    await expect.poll(() => params(page).get('when')).toBe('upcoming');
    const entries = await page.evaluate(() => history.length);
    await page.getByLabel('Activity type').selectOption('phone_call');
    await page.getByLabel('Record type').selectOption('lead');
    await expect.poll(() => params(page).get('activity')).toBe('phone_call');
    expect(params(page).get('type')).toBe('lead');
    expect(await page.evaluate(() => history.length)).toBe(entries);

    await page.reload();
    await page.getByRole('tab', { name: /^Upcoming/, selected: true }).waitFor();
    expect(await page.getByLabel('Activity type').inputValue()).toBe('phone_call');
    expect(await page.getByLabel('Record type').inputValue()).toBe('lead');
    // A filter that matches nothing still leaves the tab; All removes it from the address.
    await page.getByLabel('Activity type').selectOption('task');
    await page.getByRole('tab', { name: /^Today/ }).click();
    await page.getByRole('heading', { name: 'Nothing matches' }).waitFor();
    await page.getByLabel('Activity type').selectOption('all');
    await page.getByRole('article', { name: 'Ada Lovelace' }).waitFor();
    expect(params(page).has('activity')).toBe(false);
    expect(params(page).get('when')).toBe('today');
    await page.context().close();
  });

  test('two filters picked before the page renders again both hold (a busy machine loses neither)', async () => {
    const page = await signedIn(seller);
    await page.getByRole('article', { name: 'Ada Lovelace' }).waitFor();
    const activity = await page.getByLabel('Activity type').elementHandle();
    const recordType = await page.getByLabel('Record type').elementHandle();
    // Both changes in one task: React has not rendered the first when the second arrives.
    await page.evaluate(
      ([a, t]) => {
        for (const [select, value] of [
          [a, 'phone_call'],
          [t, 'lead'],
        ] as const) {
          (select as HTMLSelectElement).value = value;
          select?.dispatchEvent(new Event('change', { bubbles: true }));
        }
      },
      [activity, recordType],
    );
    await expect.poll(() => params(page).get('type')).toBe('lead');
    expect(params(page).get('activity')).toBe('phone_call');
    expect(await page.getByLabel('Activity type').inputValue()).toBe('phone_call');
    await page.getByRole('article', { name: 'Ada Lovelace' }).waitFor();
    await page.context().close();
  });

  test('a snoozed step says so in Upcoming and can be snoozed again', async () => {
    const page = await signedIn(seller);
    const today = page.getByRole('article', { name: 'Ada Lovelace' });
    await today.getByRole('button', { name: 'Snooze', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Snooze: Call them' });
    await dialog.getByRole('radio', { name: /^Tomorrow morning/ }).check();
    await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByText('Snoozed the step for Ada Lovelace.').waitFor();

    await page.getByRole('tab', { name: /^Upcoming/ }).click();
    const card = page.getByRole('article', { name: 'Ada Lovelace' });
    await card.getByText('Snoozed', { exact: true }).waitFor();
    expect(await card.getByText('Opens when due').count()).toBe(0);
    await accessible(page, 'my-work-snoozed');

    // The first snooze's notice goes first (it would fade after 6 s, sooner or later on a busy machine), so
    // the one after the second snooze is told apart whatever the timing.
    const dismiss = page.getByRole('button', { name: 'Dismiss' });
    await expect
      .poll(async () => {
        // A notice may fade while it is dismissed: the click then finds nothing, and the count decides.
        if ((await dismiss.count()) > 0)
          await dismiss
            .first()
            .click({ timeout: 1_000 })
            .catch(() => undefined);
        return page.getByText('Snoozed the step for Ada Lovelace.').count();
      })
      .toBe(0);
    await card.getByRole('button', { name: 'Snooze again' }).click();
    await dialog.getByRole('radio', { name: /^In a week/ }).check();
    await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByText('Snoozed the step for Ada Lovelace.').waitFor();
    const item = async () =>
      (await asSeller.request<{ items: WorkItemBody[] }>('GET', '/api/worklist?when=upcoming')).items.find(
        (i) => i.record.name === 'Ada Lovelace',
      );
    // In a week: next Monday 09:00 in the seller's zone (UTC), snoozed (twice) on this Monday.
    await expect
      .poll(async () => (await item())?.dueAt)
      .toBe(new Date(Date.parse(monday) + WEEK).toISOString());
    expect(await item()).toMatchObject({ state: 'waiting', snoozedAt: monday });

    await page.reload();
    await page.getByRole('article', { name: 'Ada Lovelace' }).getByText('Snoozed', { exact: true }).waitFor();

    // Ahead of its time: the seller logs the snoozed call from Upcoming, and the task after it opens today.
    await page
      .getByRole('article', { name: 'Ada Lovelace' })
      .getByRole('button', { name: 'Log call' })
      .click();
    const log = page.getByRole('dialog', { name: 'Log call with Ada Lovelace' });
    await log.getByRole('radio', { name: 'Answered' }).check();
    await log.getByRole('button', { name: 'Log call' }).click();
    await page.getByText('Logged the call with Ada Lovelace.').waitFor();
    await expect.poll(() => page.getByRole('article', { name: 'Ada Lovelace' }).count()).toBe(0);
    await page.getByRole('tab', { name: /^Today/ }).click();
    await page.getByRole('article', { name: 'Ada Lovelace' }).getByText('Send the deck').waitFor();
    await page.context().close();
  });

  test('a sales manager picks a seller; the list, its zone and its actions are the seller’s, kept in the address', async () => {
    const page = await signedIn(manager);
    await page.goto('/my-work');
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    const picker = page.getByLabel('Seller');
    await expect
      .poll(async () => (await picker.locator('option').allTextContents()).join(' | '))
      .toBe('Mona Manager (you) | Administrator | Sam Seller | Tess Teammate');
    await page.getByText('Nothing due today').waitFor();
    // Another seller's list reads in their time zone, as the API counts their day.
    await picker.selectOption({ label: 'Tess Teammate' });
    await page.getByRole('heading', { level: 1, name: 'Work of Tess Teammate' }).waitFor();
    await page.getByText('Times are in Asia/Tokyo.').waitFor();

    await picker.selectOption({ label: 'Sam Seller' });
    await expect.poll(() => params(page).get('owner')).toBe(seller.id);
    await page.getByRole('heading', { level: 1, name: 'Work of Sam Seller' }).waitFor();
    const card = page.getByRole('article', { name: 'Grace Hopper' });
    // A manager may work a seller's steps (the API allows every step action on them): the buttons stay.
    await card.getByRole('button', { name: 'Log call' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log call with Grace Hopper' });
    await dialog.getByRole('radio', { name: 'Answered' }).check();
    await dialog.getByRole('button', { name: 'Log call' }).click();
    await page.getByText('Logged the call with Grace Hopper.').waitFor();
    // The sequence moved on: the task opens for Grace, in Sam's list.
    await page.getByRole('article', { name: 'Grace Hopper' }).getByText('Send the deck').waitFor();
    await accessible(page, 'my-work-seller');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Work of Sam Seller' }).waitFor();
    expect(await page.getByLabel('Seller').inputValue()).toBe(seller.id);
    await page.getByRole('article', { name: 'Alan Turing' }).waitFor();
    // Back to their own list: the address drops the owner.
    await page.getByLabel('Seller').selectOption({ label: 'Mona Manager (you)' });
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    expect(params(page).has('owner')).toBe(false);
    expect(await page.getByRole('article', { name: 'Alan Turing' }).count()).toBe(0);
    await page.context().close();
  });

  test('a teammate’s long name does not push the filters onto a second row at 1280 px', async () => {
    const admin = await stack.api.as(stack.admin.email, stack.admin.password);
    await admin.createUser(
      'Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen',
      'bartholomew@stepwise.test',
      'salesperson',
    );
    const page = await signedIn(manager);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/my-work');
    const picker = page.getByLabel('Seller');
    await picker.locator('option', { hasText: 'Wolfeschlegelsteinhausen' }).waitFor({ state: 'attached' });
    const tops = await Promise.all(
      ['Seller', 'Activity type', 'Record type'].map(async (label) => {
        const box = await page.getByLabel(label).boundingBox();
        return box === null ? null : Math.round(box.y);
      }),
    );
    expect(tops[0]).not.toBeNull();
    expect(tops, 'the three filters sit on one row').toEqual([tops[0], tops[0], tops[0]]);
    // The long name stays whole where it is chosen from.
    await picker.selectOption({ label: 'Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen' });
    await page
      .getByRole('heading', {
        level: 1,
        name: 'Work of Bartholomew Featherstonehaugh-Wolfeschlegelsteinhausen',
      })
      .waitFor();
    await page.context().close();
  });

  test('no page had an uncaught error', () => {
    expect(pageErrors).toEqual([]);
  });
});
