// Browser tests of what a black-box audit of the designer and the sequence page found: a call-outcome
// condition showing a time limit and a false "Wait at least one hour." error, a wait whose name stayed
// "Wait 1 day" after its duration changed, a sequence's name, description and tags that no screen could
// change, and an automated email offering "No template (the seller writes the email)".
// One server, one browser; each test signs in as it needs.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import { type StackUser, type StepwiseStack, startStepwiseStack } from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-designer-details');

interface SavedSequence {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  definition: { steps: { id: string; name?: string; duration?: string; within?: string }[] };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(skipReason !== null)('[e2e] the condition panel, wait names, details and templates', () => {
  let stack: StepwiseStack;
  let browser: Browser;
  let manager: StackUser;
  let seller: StackUser;
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);
  const stepCard = (page: Page, name: string) =>
    page.getByRole('button', { name: new RegExp(`^${escaped(name)}\\s*,`) });
  const sequenceOf = (id: string) =>
    stack.api.request<SavedSequence>('GET', `/api/sequences/${encodeURIComponent(id)}`);

  /** An inactive lead sequence: `first` (a manual email unless given), then a call. */
  const sequence = async (name: string, first: object = { type: 'email', name: 'Say hello' }) => {
    const created = await stack.api.request<{ id: string }>('POST', '/api/sequences', {
      name,
      entityType: 'lead',
      definition: {
        start: 'e1',
        steps: [
          { id: 'e1', ...first, next: 'p1' },
          { id: 'p1', type: 'phone_call', name: 'Call them' },
        ],
      },
    });
    return created.id;
  };

  /** A new email template's id (an automated email needs one to activate). */
  const template = async (): Promise<string> =>
    (
      await stack.api.request<{ id: string }>('POST', '/api/email-templates', {
        name: `Template ${Math.random().toString(36).slice(2, 8)}`,
        subject: 'Hello',
        body: 'Hello {{ record.name }}',
      })
    ).id;

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    manager = await stack.api.createUser('Mia Manager', 'mia@stepwise.test', 'sequence_manager');
    seller = await stack.api.createUser('Sam Seller', 'sam@stepwise.test', 'salesperson');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a call-outcome condition has no time limit and no error; an email test brings one of 2 days', async () => {
    const created = await stack.api.request<{ id: string }>(
      'POST',
      '/api/sequence-templates/account-renewal/use',
      { name: 'Renewal check' },
    );
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(created.id)}`);
    // Low on the canvas, under its edge: reached with the keyboard.
    await stepCard(page, 'Reached the customer?').press('Enter');
    const panel = page.getByRole('complementary', { name: 'Step: Reached the customer?' });
    await panel.getByRole('group', { name: 'Outcome is one of' }).waitFor();
    const timeLimit = panel.getByRole('group', { name: 'Time limit (then go to No)' });
    const moveOnSignal = panel.getByRole('checkbox', { name: /Go to Yes as soon as the signal arrives/ });
    expect(await timeLimit.count()).toBe(0);
    expect(await moveOnSignal.count()).toBe(0);
    expect(await panel.getByText('Wait at least one hour.').count()).toBe(0);

    // Testing an email instead waits for its signal: 2 days until changed, and moving on a signal offered.
    await panel.getByRole('combobox', { name: 'Test' }).selectOption('signal');
    await timeLimit.waitFor();
    expect(await timeLimit.getByRole('spinbutton', { name: 'Days' }).inputValue()).toBe('2');
    await moveOnSignal.waitFor();
    expect(await panel.getByText('Wait at least one hour.').count()).toBe(0);

    // Back to the call's outcome: the limit goes, and is not saved.
    await panel.getByRole('combobox', { name: 'Test' }).selectOption('outcome');
    await timeLimit.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    const saved = await sequenceOf(created.id);
    expect(saved.definition.steps.find((s) => s.id === 'cond_call_addons')).not.toHaveProperty('within');
    await page.context().close();
  });

  test('a wait’s name follows its duration until the user types one', async () => {
    const id = await sequence('Wait names');
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await page.getByRole('button', { name: 'Add a step after “Say hello”' }).click();
    const picker = page.getByRole('dialog', { name: 'Add a step' });
    await picker.getByRole('button').filter({ hasText: 'Waits before the next step' }).click();
    await picker.waitFor({ state: 'hidden' });
    await stepCard(page, 'Wait 1 day').waitFor();
    const panel = page.getByRole('complementary', { name: /^Step: / });
    await panel.getByRole('spinbutton', { name: 'Days' }).fill('2');
    await stepCard(page, 'Wait 2 days').waitFor();
    expect(await panel.getByLabel('Name').inputValue()).toBe('Wait 2 days');
    await panel.getByRole('spinbutton', { name: 'Days' }).fill('0');
    await panel.getByRole('spinbutton', { name: 'Hours' }).fill('3');
    await stepCard(page, 'Wait 3 hours').waitFor();

    await panel.getByLabel('Name').fill('Let it sink in');
    await panel.getByRole('spinbutton', { name: 'Days' }).fill('4');
    await stepCard(page, 'Let it sink in').getByText('Wait 4 days 3 hours').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    const saved = await sequenceOf(id);
    expect(saved.definition.steps.find((s) => s.duration !== undefined)).toMatchObject({
      name: 'Let it sink in',
      duration: 'P4DT3H',
    });
    await page.context().close();
  });

  test('a manager edits the name, description and tags; the server’s problems show at their field', async () => {
    const id = await sequence('Renewal touch');
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}?tab=details`);
    await page.getByRole('button', { name: 'Edit details' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit details' });
    const save = dialog.getByRole('button', { name: 'Save details' });
    await dialog.getByLabel('Name').fill('  ');
    expect(await save.isDisabled()).toBe(true);
    await dialog.getByLabel('Name').fill('Renewal touch, Q3');
    await dialog.getByLabel('Description').fill('For renewals due next quarter.');
    await dialog.getByLabel('Tags').fill(`renewal, Enterprise, ${'x'.repeat(101)}`);
    await save.click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /more than 100 characters/ })
      .waitFor();
    expect(await dialog.getByLabel('Tags').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page, 'edit-details-error')).toEqual([]);

    // The same tag in another case is one tag.
    await dialog.getByLabel('Tags').fill('renewal, Enterprise, RENEWAL');
    await save.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { level: 1, name: 'Renewal touch, Q3' }).waitFor();
    const details = page.getByRole('tabpanel');
    const row = (term: string) =>
      details.getByText(term, { exact: true }).locator('xpath=following-sibling::dd').textContent();
    await expect.poll(() => row('Tags')).toMatch(/^(renewal, Enterprise|Enterprise, renewal)$/);
    expect(await row('Description')).toBe('For renewals due next quarter.');
    const saved = await sequenceOf(id);
    expect(saved).toMatchObject({
      name: 'Renewal touch, Q3',
      description: 'For renewals due next quarter.',
    });
    expect([...saved.tags].sort()).toEqual(['Enterprise', 'renewal']);

    // The Sequences list's tag filter finds it.
    await page.goto('/sequences?status=inactive');
    await page.getByRole('combobox', { name: 'Tag' }).selectOption('Enterprise');
    await page.getByRole('row').filter({ hasText: 'Renewal touch, Q3' }).waitFor();

    // Active, the server refuses changes: the page says how instead of offering them.
    await stack.api.request('POST', `/api/sequences/${encodeURIComponent(id)}/activate`, {});
    await page.goto(`/sequences/${encodeURIComponent(id)}?tab=details`);
    await page.getByText(/can’t change: select Edit to work on a new version/).waitFor();
    expect(await page.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
    await page.context().close();
  });

  test('a salesperson is offered no Edit details', async () => {
    const id = await sequence('Read only details');
    const page = await signedIn(seller);
    await page.goto(`/sequences/${encodeURIComponent(id)}?tab=details`);
    await page.getByRole('tabpanel').getByText('Read only details').waitFor();
    expect(await page.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
    await page.context().close();
  });

  test('an automated email asks for a template; a manual email may go without one', async () => {
    const id = await sequence('Template choice', { type: 'automated_email', name: 'Send the intro' });
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await stepCard(page, 'Send the intro').click();
    const listbox = page
      .getByRole('complementary', { name: 'Step: Send the intro' })
      .getByRole('listbox', { name: 'Template' });
    const empty = listbox.locator('option[value=""]');
    await expect.poll(() => empty.textContent()).toBe('Choose a template');
    expect(await empty.isDisabled()).toBe(true);
    expect(await listbox.getByText('No template (the seller writes the email)').count()).toBe(0);

    await page.getByRole('button', { name: 'Add a step after “Send the intro”' }).click();
    const picker = page.getByRole('dialog', { name: 'Add a step' });
    await picker.getByRole('button').filter({ hasText: 'The seller sends an email' }).click();
    await picker.waitFor({ state: 'hidden' });
    const manual = page.getByRole('complementary', { name: 'Step: Email' }).getByRole('listbox', {
      name: 'Template',
    });
    await expect
      .poll(() => manual.locator('option[value=""]').textContent())
      .toBe('No template (the seller writes the email)');
    await page.context().close();
  });

  test('a revision can be discarded: the sequence is active again on the version it ran', async () => {
    const id = await sequence('Revised then discarded', {
      type: 'automated_email',
      name: 'Say hello',
      templateId: await template(),
    });
    const path = `/api/sequences/${encodeURIComponent(id)}`;
    await stack.api.request('POST', `${path}/activate`, {});
    await stack.api.request('POST', `${path}/revise`, {});
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await page.getByRole('button', { name: 'Discard revision' }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard this revision?' });
    await dialog.getByText('The sequence stays active on version 1').waitFor();
    await dialog.getByRole('button', { name: 'Discard revision' }).click();
    await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();
    expect(await sequenceOf(id)).toMatchObject({ status: 'active', version: 1 });
    expect(await stack.api.request<unknown[]>('GET', `${path}/versions`)).toHaveLength(1);
    await page.context().close();
  });

  test('a branch that ends is drawn as an end under it; the canvas reads and tabs in the flow’s order', async () => {
    // The definition the audit built: the Yes branch stops after one call, the No branch goes on.
    const fixture = new URL('../web/src/designer/fixtures/branch-ends.json', import.meta.url);
    const definition = JSON.parse(readFileSync(fixture, 'utf8')) as object;
    const { id } = await stack.api.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Branch ends',
      entityType: 'lead',
      definition,
    });
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    const call = stepCard(page, 'Call to book');
    await call.waitFor();
    const node = (nodeId: string) => page.locator(`.react-flow__node[data-id="${nodeId}"]`);
    const box = async (nodeId: string) => {
      const found = await node(nodeId).boundingBox();
      if (found === null) throw new Error(`${nodeId} is not drawn`);
      return found;
    };
    const callBox = await box('step:phone-call-1');
    const endBox = await box('end:phone-call-1:next');
    expect(endBox.x + endBox.width / 2).toBeCloseTo(callBox.x + callBox.width / 2, 0);
    expect(endBox.y).toBeGreaterThan(callBox.y + callBox.height);
    expect(await node('end:phone-call-1:next').innerText()).toBe('End');
    const waitBox = await box('step:wait-1');
    expect(waitBox.x).toBeGreaterThan(callBox.x + callBox.width);

    // Names without a stray comma or repeated words, and links named by their steps.
    expect(await call.getAttribute('aria-label')).toBe('Call to book, Phone call');
    expect(await stepCard(page, 'Wait 2 days').innerText()).toBe('Wait 2 days');
    const edgeNames = await page
      .locator('.react-flow__edge')
      .evaluateAll((edges) => edges.map((edge) => edge.getAttribute('aria-label')));
    expect(edgeNames).toContain('From Email replied (Yes) to Call to book');
    expect(edgeNames).toContain('From Call to book to the end');

    // Tab follows the flow: each + just before the step it adds before, the Yes branch before the No.
    await page.getByRole('button', { name: 'Add a step on the Yes branch of “Email replied”' }).focus();
    const tabs: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      tabs.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null));
    }
    expect(tabs).toEqual([
      'Call to book, Phone call',
      'Add a step after “Call to book”',
      'Add a step on the No branch of “Email replied”',
      'Wait 2 days, Wait',
    ]);
    expect(await seriousViolations(page, 'designer-branch-ends')).toEqual([]);

    // Escape closes the step panel and gives the focus back to the card.
    await call.press('Enter');
    const panel = page.getByRole('complementary', { name: 'Step: Call to book' });
    await panel.getByLabel('Name').focus();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await call.evaluate((el) => el === document.activeElement)).toBe(true);

    // The header counts the steps being built, before they are saved.
    const summary = page.locator('.sequence-header p');
    expect(await summary.innerText()).toContain('5 steps · 6 days');
    await page.getByRole('button', { name: 'Add a step after “Call to book”' }).click();
    const picker = page.getByRole('dialog', { name: 'Add a step' });
    await picker.getByRole('button').filter({ hasText: 'A custom activity' }).click();
    await picker.waitFor({ state: 'hidden' });
    await page.getByText('Unsaved changes').waitFor();
    expect(await summary.innerText()).toContain('6 steps · 6 days');
    await page.context().close();
  });

  test('no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
