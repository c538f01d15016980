// Browser tests of what a black-box audit of the web app found: lists that stopped at the API's first page
// of 50 (email templates, their picker in the designer, the Sequences page's tabs), the email template
// editor offering a salesperson Save and Delete, a wait longer than 30 days silently saved as the previous
// value, unsaved designer edits lost on a click in the nav, and the template Delete dialog's promise; then
// the template picker's record types, a webhook's deliveries past the first page ("Load more"), and a
// problem of the sequence's options shown while its panel is closed, and a template body written in HTML.
// One server, one browser; each test signs in as it needs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import { type StackUser, type StepwiseStack, startStepwiseStack } from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-lists-and-editors');
const TEMPLATE_COUNT = 56;
const INACTIVE_COUNT = 58;
const two = (n: number) => String(n).padStart(2, '0');

describe.skipIf(skipReason !== null)('[e2e] long lists, read-only templates and the designer’s edits', () => {
  let stack: StepwiseStack;
  let browser: Browser;
  let manager: StackUser;
  let seller: StackUser;
  let templateId = '';
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);

  const stepCard = (page: Page, name: string) =>
    page.getByRole('button', { name: new RegExp(`^${name}\\s*,`) });

  /** An inactive lead sequence: an email, a one-day wait named "Pause", a call. */
  const threeSteps = async (name: string): Promise<string> => {
    const created = await stack.api.request<{ id: string }>('POST', '/api/sequences', {
      name,
      entityType: 'lead',
      definition: {
        start: 'e1',
        steps: [
          { id: 'e1', type: 'email', name: 'Say hello', next: 'w1' },
          { id: 'w1', type: 'wait', name: 'Pause', duration: 'P1D', next: 'p1' },
          { id: 'p1', type: 'phone_call', name: 'Call them' },
        ],
      },
    });
    return created.id;
  };

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    const user = (name: string, email: string, role: string) => stack.api.createUser(name, email, role);
    manager = await user('Mia Manager', 'mia@stepwise.test', 'sequence_manager');
    seller = await user('Sam Seller', 'sam@stepwise.test', 'salesperson');
    for (let n = 1; n <= TEMPLATE_COUNT; n++) {
      const created = await stack.api.request<{ id: string }>('POST', '/api/email-templates', {
        name: `Zeta template ${two(n)}`,
        subject: `Subject ${two(n)}`,
        body: 'Hello {{record.name}}',
      });
      if (n === 1) templateId = created.id;
    }
    for (let n = 1; n <= INACTIVE_COUNT; n++)
      await stack.api.request('POST', '/api/sequences', {
        name: `Paged sequence ${two(n)}`,
        entityType: 'lead',
      });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('the lists show every email template and every inactive sequence, not the first 50', async () => {
    const page = await signedIn(manager);
    await page.goto('/email-templates');
    const cards = page.locator('.template-list li').filter({ hasText: /^Zeta template/ });
    await expect.poll(() => cards.count()).toBe(TEMPLATE_COUNT);
    await page.getByRole('searchbox', { name: 'Search templates' }).fill('Zeta template 30');
    await expect.poll(() => cards.count()).toBe(1);
    await page.getByRole('link', { name: 'Zeta template 30' }).waitFor();

    await page.goto('/sequences?status=inactive');
    const rows = page.getByRole('row').filter({ hasText: /Paged sequence/ });
    await expect.poll(() => rows.count()).toBe(INACTIVE_COUNT);

    // The designer's template picker offers all of them.
    const id = await threeSteps('Picker check');
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await stepCard(page, 'Say hello').click();
    const listbox = page
      .getByRole('complementary', { name: 'Step: Say hello' })
      .getByRole('listbox', { name: 'Template' });
    await expect
      .poll(() => listbox.locator('option', { hasText: /^Zeta template/ }).count())
      .toBe(TEMPLATE_COUNT);
    await listbox.selectOption({ label: 'Zeta template 30' });
    await page.getByRole('region', { name: 'Template preview' }).getByText('Subject 30').waitFor();
    await page.context().close();
  });

  test('the picker offers only templates for the sequence’s record type; one of another type is named', async () => {
    const contactOnly = await stack.api.request<{ id: string }>('POST', '/api/email-templates', {
      name: 'Contact-only template',
      subject: 'For contacts',
      body: 'Hello {{record.name}}',
      entityType: 'contact',
    });
    await stack.api.request('POST', '/api/email-templates', {
      name: 'Lead-only template',
      subject: 'For leads',
      body: 'Hello {{record.name}}',
      entityType: 'lead',
    });
    const id = await threeSteps('Type check');
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await stepCard(page, 'Say hello').click();
    const panel = page.getByRole('complementary', { name: 'Step: Say hello' });
    const listbox = panel.getByRole('listbox', { name: 'Template' });
    await listbox.locator('option', { hasText: 'Lead-only template' }).waitFor({ state: 'attached' });
    expect(await listbox.locator('option', { hasText: 'Contact-only template' }).count()).toBe(0);

    // A contact template set through the API (or before this check): shown, and named as the problem.
    await stack.api.request('PUT', `/api/sequences/${encodeURIComponent(id)}`, {
      definition: {
        start: 'e1',
        steps: [
          { id: 'e1', type: 'email', name: 'Say hello', templateId: contactOnly.id, next: 'p1' },
          { id: 'p1', type: 'phone_call', name: 'Call them' },
        ],
      },
    });
    await page.reload();
    await stepCard(page, 'Say hello').click();
    await panel
      .getByRole('alert')
      .filter({ hasText: 'This template is for contact records; this sequence is for lead records' })
      .waitFor();
    await expect(
      stack.api.request('POST', `/api/sequences/${encodeURIComponent(id)}/activate`),
    ).rejects.toThrow(/answered 422: .*template_wrong_type/);
    await page.context().close();
  });

  test('a webhook’s deliveries show a page, and Load more adds the next until there are none', async () => {
    // 60 deliveries: one per signal of a record, to a receiver that is not there (they stay pending).
    await stack.api.request('POST', '/api/webhooks', {
      url: 'http://127.0.0.1:9/nobody-listens',
      events: ['signal.received'],
      description: 'Paged deliveries',
    });
    const record = await stack.api.request<{ id: string }>('POST', '/api/records', {
      type: 'lead',
      name: 'Webhook Lead',
      email: 'webhook.lead@example.test',
    });
    const signals = Array.from({ length: 60 }, (_, i) => ({
      id: `paged-${i}`,
      type: 'linkedin_connection_accepted',
      recordId: record.id,
    }));
    expect(await stack.api.request('POST', '/api/signals', { signals })).toMatchObject({ accepted: 60 });

    const page = await signedIn(await stack.api.createUser('Ada Admin', 'ada@stepwise.test', 'admin'));
    await page.goto('/settings?tab=webhooks');
    await page
      .getByRole('button', { name: /Deliveries/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: 'Deliveries' });
    const items = dialog.locator('.delivery-list > li');
    await expect.poll(() => items.count()).toBe(50);
    await dialog.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => items.count()).toBe(60);
    expect(await dialog.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();

    // Deleting it asks first: Cancel keeps it, Delete removes it.
    const url = 'http://127.0.0.1:9/nobody-listens';
    await page.getByRole('button', { name: `Delete ${url}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await confirm.getByText(`${url} receives no more events`).waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await stack.api.request<{ items: unknown[] }>('GET', '/api/webhooks')).toMatchObject({
      items: [expect.objectContaining({ url })],
    });
    await page.getByRole('button', { name: `Delete ${url}` }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect
      .poll(async () => (await stack.api.request<{ items: unknown[] }>('GET', '/api/webhooks')).items)
      .toEqual([]);
    await page.context().close();
  });

  test('the template editor says a body written in HTML would reach the recipient as typed', async () => {
    const page = await signedIn(manager);
    await page.goto('/email-templates/new');
    const body = page.getByRole('textbox', { name: 'Body', exact: true });
    await body.fill('Hello, see https://example.com');
    await page.getByText('Plain text: blank lines become paragraphs').waitFor();
    await body.fill('<p>Hello, see <a href="https://example.com">our demo</a></p>');
    await page.getByRole('status').filter({ hasText: 'This looks like HTML.' }).waitFor();
    await page.context().close();
  });

  test('a salesperson reads an email template but is offered no Save, Delete or New', async () => {
    const page = await signedIn(seller);
    await page.goto(`/email-templates/${encodeURIComponent(templateId)}`);
    await page.getByRole('heading', { level: 1, name: 'Zeta template 01' }).waitFor();
    await page.getByText('Managers create and change email templates').waitFor();
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Subject', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Body', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /^(Save|Delete)$/ }).count()).toBe(0);
    const problems = await seriousViolations(page, 'seller-template');
    expect.soft(problems, `serious accessibility violations:\n${problems.join('\n\n')}`).toEqual([]);

    await page.goto('/email-templates');
    await page.getByRole('link', { name: 'Zeta template 01' }).waitFor();
    expect(await page.getByRole('link', { name: 'New template' }).count()).toBe(0);

    await page.goto('/email-templates/new');
    await page.getByText('Managers create and change email templates').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).count()).toBe(0);
    await page.context().close();
  });

  test('a wait of 45 days is kept as typed, saved, and refused on its step at activation', async () => {
    const id = await threeSteps('Long wait');
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await stepCard(page, 'Pause').click();
    const panel = page.getByRole('complementary', { name: 'Step: Pause' });
    await panel.getByRole('spinbutton', { name: 'Days' }).fill('45');
    await panel.getByText('The longest wait is 30 days').waitFor();
    await stepCard(page, 'Pause').getByText('Wait 45 days').waitFor();
    expect(await panel.getByRole('spinbutton', { name: 'Days' }).inputValue()).toBe('45');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    const saved = await stack.api.request<{ definition: { steps: { id: string; duration?: string }[] } }>(
      'GET',
      `/api/sequences/${encodeURIComponent(id)}`,
    );
    expect(saved.definition.steps.find((s) => s.id === 'w1')?.duration).toBe('P45D');

    await page.getByRole('button', { name: 'Activate' }).click();
    await page
      .getByRole('dialog', { name: 'Activate this sequence?' })
      .getByRole('button', { name: 'Activate' })
      .click();
    await page.getByRole('alert').filter({ hasText: 'can’t be activated yet: 1 problem' }).waitFor();
    await page.getByRole('button', { name: /^Pause\s*,.*1 problem$/ }).waitFor();
    await page.context().close();
  });

  test('a problem of the options is pointed to while the Options panel is closed', async () => {
    const created = await stack.api.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Calls that exit on reply',
      entityType: 'lead',
      definition: {
        start: 'p1',
        options: { exitOnReply: true },
        steps: [{ id: 'p1', type: 'phone_call', name: 'Call them' }],
      },
    });
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(created.id)}`);
    await page.getByRole('button', { name: 'Activate' }).click();
    await page
      .getByRole('dialog', { name: 'Activate this sequence?' })
      .getByRole('button', { name: 'Activate' })
      .click();
    const banner = page.getByRole('alert').filter({ hasText: 'The sequence’s options have a problem.' });
    await banner.getByRole('button', { name: 'Open the options' }).click();
    const options = page.getByRole('complementary', { name: 'Sequence options' });
    await options.getByText('"Exit on reply" needs at least one email step').waitFor();
    // With the panel open the banner no longer points to it.
    await expect.poll(() => banner.count()).toBe(0);
    await page.context().close();
  });

  test('leaving the designer with unsaved changes asks first; Stay keeps them', async () => {
    const id = await threeSteps('Unsaved edits');
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(id)}`);
    await stepCard(page, 'Call them').click();
    await page.getByRole('complementary', { name: 'Step: Call them' }).getByLabel('Name').fill('Ring them');
    await page.getByText('Unsaved changes').waitFor();

    // The tabs stay on the page and keep the edits: no question.
    await page.getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('tab', { name: 'Designer' }).click();
    expect(await page.getByRole('dialog', { name: 'Leave without saving?' }).count()).toBe(0);

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Sequences' }).click();
    const ask = page.getByRole('dialog', { name: 'Leave without saving?' });
    await ask.getByRole('button', { name: 'Stay' }).click();
    await ask.waitFor({ state: 'hidden' });
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/sequences/${id}`);
    await page.getByText('Unsaved changes').waitFor();
    await stepCard(page, 'Ring them').waitFor();

    await nav.getByRole('link', { name: 'Sequences' }).click();
    await ask.getByRole('button', { name: 'Leave and discard changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sequences' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sequences');
    await page.context().close();
  });

  test('deleting a template that a sequence uses shows why the server refused', async () => {
    const doomed = await stack.api.request<{ id: string }>('POST', '/api/email-templates', {
      name: 'Used template',
      subject: 'Hi',
      body: 'Hello',
    });
    // An active sequence sends it: the server refuses the delete (409 conflict, template_in_use in its errors) and names it.
    const using = await stack.api.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Outbound with the used template',
      entityType: 'lead',
      definition: {
        start: 'a1',
        steps: [{ id: 'a1', type: 'automated_email', name: 'Intro', templateId: doomed.id }],
      },
    });
    await stack.api.request('POST', `/api/sequences/${encodeURIComponent(using.id)}/activate`, {});
    const page = await signedIn(manager);
    await page.goto(`/email-templates/${encodeURIComponent(doomed.id)}`);
    await page.getByRole('heading', { level: 1, name: 'Used template' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this template?' });
    await dialog.getByText(/must stop using it first/).waitFor();
    expect(await dialog.getByText(/without a template/).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Outbound with the used template' }).waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/email-templates/${doomed.id}`);

    // Once nothing runs it, it goes.
    await stack.api.request('POST', `/api/sequences/${encodeURIComponent(using.id)}/deactivate`, {});
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Email templates' }).waitFor();
    await page.context().close();
  });

  test('no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
