// Browser tests of what a black-box audit of a sales-ops manager's work found: the records lists had no
// Owner column and no owner filter kept in the address, Connected records had no Owner column (nor a search
// and an order for thousands of records), the Stats tab had no figures per seller, a gallery template could
// only be used from its preview, and the email template editor previewed only with a sample lead. One
// server, one browser, the test clock on a Monday 09:00 UTC.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { loadedWidth, nextMondayAtNine, waitLoaded } from './support/layout.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import {
  type ApiClient,
  type StackUser,
  type StepwiseStack,
  startStepwiseStack,
} from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-manager-lists');
const SEQUENCE_NAME = 'Call them';

describe.skipIf(skipReason !== null)('[e2e] a manager triaging lists, templates and previews', () => {
  let stack: StepwiseStack;
  let admin: ApiClient;
  let browser: Browser;
  let manager: StackUser;
  let sam: StackUser;
  let sara: StackUser;
  let sequenceId = '';
  let templateId = '';
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);
  const lead = async (name: string, owner: StackUser) =>
    (
      await admin.request<{ id: string }>('POST', '/api/records', {
        type: 'lead',
        name,
        email: `${name.toLowerCase().replaceAll(' ', '.')}@example.com`,
        company: 'Analytical Engines Ltd',
        ownerId: owner.id,
      })
    ).id;

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    const { now } = await stack.api.request<{ now: string }>('GET', '/api/clock');
    await stack.api.moveClock({ set: nextMondayAtNine(now) });
    admin = await stack.api.as(stack.admin.email, stack.admin.password);
    manager = await admin.createUser('Mia Manager', 'mia@stepwise.test', 'sales_manager');
    sam = await admin.createUser('Sam Seller', 'sam@stepwise.test', 'salesperson');
    sara = await admin.createUser('Sara Seller', 'sara@stepwise.test', 'salesperson');
    const ada = await lead('Ada Lovelace', sam);
    await lead('Bartholomew Featherstonehaugh', sam);
    const grace = await lead('Grace Hopper', sara);
    const template = await admin.request<{ id: string }>('POST', '/api/email-templates', {
      name: 'Hello',
      subject: 'Hello {{ record.name }}',
      body: 'Hello {{ record.name }} of {{ record.company }}, a word about engines.',
      entityType: 'lead',
    });
    templateId = template.id;
    const sequence = await admin.request<{ id: string }>('POST', '/api/sequences', {
      name: SEQUENCE_NAME,
      entityType: 'lead',
      definition: { start: 's1', steps: [{ id: 's1', type: 'phone_call', name: 'Call to book' }] },
    });
    sequenceId = sequence.id;
    await admin.request('POST', `/api/sequences/${encodeURIComponent(sequenceId)}/activate`, {});
    const answer = await admin.request<{ enrolled: unknown[] }>(
      'POST',
      `/api/sequences/${encodeURIComponent(sequenceId)}/enrollments`,
      { recordIds: [ada, grace] },
    );
    expect(answer.enrolled).toHaveLength(2);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('the Leads list: each owner named, filtered by owner in the address, narrow on a phone', async () => {
    const page = await signedIn(manager);
    await page.goto('/records/leads');
    const row = (name: string) => page.getByRole('row').filter({ hasText: name });
    await row('Grace Hopper').getByRole('cell', { name: 'Sara Seller', exact: true }).waitFor();
    await row('Ada Lovelace').getByRole('cell', { name: 'Sam Seller', exact: true }).waitFor();
    expect(await seriousViolations(page, 'leads-with-owners')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'leads-with-owners.png'), fullPage: true });

    await page.getByRole('combobox', { name: 'Owner' }).selectOption({ label: 'Sara Seller' });
    await expect.poll(() => new URL(page.url()).searchParams.get('owner')).toBe(sara.id);
    await expect.poll(() => page.getByRole('link', { name: 'Ada Lovelace' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Grace Hopper' }).waitFor();

    // A reload (or a shared link) shows the same list.
    await page.reload();
    await page.getByRole('link', { name: 'Grace Hopper' }).waitFor();
    await waitLoaded(page);
    expect(await page.getByRole('link', { name: 'Ada Lovelace' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Owner' }).inputValue()).toBe(sara.id);

    // On a phone the Owner column gives way, and the list still fits.
    await page.goto('/records/leads');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Bartholomew Featherstonehaugh' }).waitFor();
    await waitLoaded(page);
    expect(await page.getByRole('columnheader', { name: 'Owner' }).isVisible()).toBe(false);
    const width = await loadedWidth(page);
    expect(width).toBeLessThanOrEqual(391);
    await page.screenshot({ path: join(LOG_DIR, 'phone-leads-manager.png'), fullPage: true });
    await page.context().close();
  });

  test('a salesperson, who sees only their own records, gets neither the owner filter nor the column', async () => {
    const page = await signedIn(sam);
    await page.goto(`/records/leads?owner=${encodeURIComponent(sara.id)}`);
    await page.getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    await waitLoaded(page);
    expect(await page.getByRole('combobox', { name: 'Owner' }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Owner' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Grace Hopper' }).count()).toBe(0);
    await page.context().close();
  });

  test('Connected records names the owner of each connected record', async () => {
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=records`);
    const row = (name: string) => page.getByRole('row').filter({ hasText: name });
    await page.getByRole('columnheader', { name: 'Owner' }).waitFor();
    await row('Ada Lovelace').getByRole('cell', { name: 'Sam Seller', exact: true }).waitFor();
    await row('Grace Hopper').getByRole('cell', { name: 'Sara Seller', exact: true }).waitFor();
    expect(await seriousViolations(page, 'connected-records-owners')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'connected-records-owners.png'), fullPage: true });
    // Disconnecting one: the result names it, though the reloaded list no longer shows it.
    await page.getByRole('checkbox', { name: 'Select Grace Hopper' }).check();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect the selected records?' });
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    const done = page.getByRole('dialog', { name: 'Records disconnected' });
    await done.getByText('Grace Hopper: disconnected').waitFor();
    expect(await done.getByText(/rec_/).count()).toBe(0);
    await done.getByRole('button', { name: 'Done' }).click();
    await page.context().close();
  });

  test("the Stats tab counts each seller's records, sorts by a column and fits a phone", async () => {
    // After the test above: Sam's Ada runs on, Sara's Grace was disconnected.
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=stats`);
    const stats = page.getByRole('tabpanel', { name: 'Stats' });
    const table = stats.getByRole('table', { name: 'Records of this sequence by seller' });
    await table.getByRole('rowheader', { name: 'Sara Seller' }).waitFor();
    const cells = (seller: string) =>
      table
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: seller, exact: true }) })
        .getByRole('cell')
        .allTextContents();
    // Records, Running, Completed, Replied, Bounced, Unsubscribed, Disconnected, Other, Reply and Completion rate.
    expect(await cells('Sam Seller')).toEqual(['1', '1', '0', '0', '0', '0', '0', '0', '0%', '0%']);
    expect(await cells('Sara Seller')).toEqual(['1', '0', '0', '0', '0', '0', '1', '0', '0%', '0%']);
    expect(await cells('All sellers')).toEqual(['2', '1', '0', '0', '0', '0', '1', '0', '0%', '0%']);
    const sellers = () => table.locator('tbody').getByRole('rowheader').allTextContents();
    expect(await sellers()).toEqual(['Sam Seller', 'Sara Seller']);
    // A header's click goes through the address (the order is kept there), so the table follows a moment later.
    await table.getByRole('button', { name: 'Disconnected' }).click();
    await expect.poll(sellers).toEqual(['Sara Seller', 'Sam Seller']);
    const header = table.getByRole('columnheader', { name: 'Disconnected' });
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending');
    await table.getByRole('button', { name: 'Disconnected' }).click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(sellers).toEqual(['Sam Seller', 'Sara Seller']);
    // A reload shows the same order.
    expect(new URL(page.url()).searchParams.get('by')).toBe('disconnected-asc');
    await page.reload();
    await table.getByRole('rowheader', { name: 'Sara Seller' }).waitFor();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await seriousViolations(page, 'stats-by-seller')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'stats-by-seller.png'), fullPage: true });

    // On a phone the table scrolls in its own box: the page does not.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await table.getByRole('rowheader', { name: 'Sam Seller' }).waitFor();
    expect(await loadedWidth(page)).toBeLessThanOrEqual(391);
    expect(await seriousViolations(page, 'phone-stats-by-seller')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'phone-stats-by-seller.png'), fullPage: true });

    // A sequence no record ran: the table says so.
    const blank = await admin.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Nobody yet',
      entityType: 'lead',
    });
    await page.goto(`/sequences/${encodeURIComponent(blank.id)}?tab=stats`);
    await stats.getByRole('heading', { name: 'No seller has records here yet' }).waitFor();
    expect(await stats.getByRole('table', { name: 'Records of this sequence by seller' }).count()).toBe(0);
    await page.context().close();
  });

  test('at 1280 px the Stats tab shows every seller column without scrolling, and its chart legends read', async () => {
    const page = await signedIn(manager);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=stats`);
    const stats = page.getByRole('tabpanel', { name: 'Stats' });
    const table = stats.getByRole('table', { name: /^Records of this sequence by seller/ });
    await table.getByRole('rowheader', { name: 'Sara Seller' }).waitFor();
    // A laptop's 1280 px window shows every column without scrolling the table sideways.
    const figures = stats.getByRole('region', { name: 'Figures by seller' });
    const overflow = () => figures.evaluate((box) => box.scrollWidth - box.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Sorted by a column, its mark takes room there too, and the table still fits.
    expect(await table.getByRole('columnheader', { name: /Completion rate/ }).isVisible()).toBe(true);
    await table.getByRole('button', { name: 'Completion rate' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('by')).toBe('completionRate-desc');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(LOG_DIR, 'stats-by-seller-1280.png'), fullPage: true });

    // The charts' legends are readable: their words reach WCAG AA's 4.5:1 on the chart's background (axe
    // does not measure them), the light grey of "Open or stopped" included.
    const legend = stats.locator('.recharts-legend-item-text');
    await legend.filter({ hasText: 'Open or stopped' }).first().waitFor();
    const contrasts = await legend.evaluateAll((items) => {
      const luminance = (css: string) => {
        const [r = 0, g = 0, b = 0] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
        const linear = (c: number) =>
          c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4;
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
      };
      return items.map((item) => {
        const words = item.firstElementChild ?? item;
        const chart = item.closest('.chart') ?? document.body;
        const [a, b] = [
          luminance(getComputedStyle(words).color),
          luminance(getComputedStyle(chart).backgroundColor),
        ];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        return `${item.textContent}: ${ratio.toFixed(2)}`;
      });
    });
    expect(contrasts.length).toBeGreaterThan(0);
    for (const entry of contrasts) expect(Number(entry.split(': ')[1]), entry).toBeGreaterThanOrEqual(4.5);

    await page.context().close();
  });

  test('Connected records: found by name or email, kept in the address, ordered, disconnected from the results', async () => {
    const more = [
      await lead('Charles Babbage', sam),
      await lead('Mary Somerville', sara),
      await lead('Adam Sedgwick', sam),
    ];
    const answer = await admin.request<{ enrolled: unknown[] }>(
      'POST',
      `/api/sequences/${encodeURIComponent(sequenceId)}/enrollments`,
      { recordIds: more },
    );
    expect(answer.enrolled).toHaveLength(3);
    const page = await signedIn(manager);
    await page.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=records`);
    const link = (name: string) => page.getByRole('link', { name, exact: true });
    const shownNames = () => page.getByRole('table').getByRole('link').allTextContents();
    await link('Charles Babbage').waitFor();
    const search = page.getByRole('searchbox', { name: 'Search connected records' });

    // By a part of the email address, whatever its case; the address keeps the search.
    await search.fill('SOMERVILLE@');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('SOMERVILLE@');
    await expect.poll(shownNames).toEqual(['Mary Somerville']);

    // Nothing matches: the list says so, and keeps the search box.
    await search.fill('nobody here');
    await page.getByRole('heading', { name: 'No connected record matches “nobody here”' }).waitFor();
    expect(await seriousViolations(page, 'connected-records-no-match')).toEqual([]);

    // A part of the name, in each order.
    await search.fill('ad');
    await expect.poll(shownNames).toEqual(['Ada Lovelace', 'Adam Sedgwick']);
    const sortBy = page.getByRole('combobox', { name: 'Sort by' });
    await sortBy.selectOption({ label: 'Newest connected' });
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('newest');
    await expect.poll(shownNames).toEqual(['Adam Sedgwick', 'Ada Lovelace']);
    expect(await seriousViolations(page, 'connected-records-search')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'connected-records-search.png'), fullPage: true });

    // A reload (or a shared link) shows the same search in the same order.
    await page.reload();
    await expect.poll(shownNames).toEqual(['Adam Sedgwick', 'Ada Lovelace']);
    expect(await search.inputValue()).toBe('ad');
    expect(await sortBy.inputValue()).toBe('newest');
    await sortBy.selectOption({ label: 'Record name (A–Z)' });
    await expect.poll(shownNames).toEqual(['Ada Lovelace', 'Adam Sedgwick']);

    // Selected among the results and disconnected: the list stays searched, the record now ended.
    await page.getByRole('checkbox', { name: 'Select Adam Sedgwick' }).check();
    await page.getByRole('button', { name: 'Disconnect (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect the selected records?' });
    await dialog.getByRole('button', { name: 'Disconnect 1' }).click();
    const done = page.getByRole('dialog', { name: 'Records disconnected' });
    await done.getByText('Adam Sedgwick: disconnected').waitFor();
    await done.getByRole('button', { name: 'Done' }).click();
    const adam = page.getByRole('row').filter({ hasText: 'Adam Sedgwick' });
    await adam.getByText('Disconnected', { exact: true }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Select Adam Sedgwick' }).count()).toBe(0);
    expect(await shownNames()).toEqual(['Ada Lovelace', 'Adam Sedgwick']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('ad');

    // On a phone the search, the status and the order wrap above the list, which still fits.
    await page.setViewportSize({ width: 390, height: 844 });
    await waitLoaded(page);
    expect(await loadedWidth(page)).toBeLessThanOrEqual(391);
    await page.screenshot({ path: join(LOG_DIR, 'phone-connected-records-search.png'), fullPage: true });
    await page.context().close();
  });

  test('a gallery card uses its template at once, without opening the preview', async () => {
    const page = await signedIn(manager);
    await page.goto('/sequences');
    await page.getByRole('button', { name: 'New sequence' }).click();
    await page
      .getByRole('dialog', { name: 'Create a sequence' })
      .getByRole('button', { name: 'Use a template' })
      .click();
    const gallery = page.getByRole('dialog', { name: 'Use a template' });
    await gallery.getByRole('heading', { name: 'Webinar follow up' }).waitFor();
    expect(await seriousViolations(page, 'gallery-use-buttons')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'gallery.png') });
    await gallery.getByRole('button', { name: 'Use template Webinar follow up' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webinar follow up' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/sequences\/[^/]+$/);
    await page.context().close();
  });

  test("Connect records: the dialog's search icon sits inside its search box, as on the lists", async () => {
    const page = await signedIn(manager);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/sequences/${encodeURIComponent(sequenceId)}?tab=records`);
    await page.getByRole('button', { name: '+ Connect records' }).click();
    const dialog = page.getByRole('dialog', { name: `Connect leads to “${SEQUENCE_NAME}”` });
    const search = dialog.getByRole('searchbox', { name: 'Search leads' });
    await dialog.getByText('Ada Lovelace').first().waitFor();
    const [icon, box] = await Promise.all([
      dialog.locator('.search-field .icon').boundingBox(),
      search.boundingBox(),
    ]);
    expect(icon).not.toBeNull();
    expect(box).not.toBeNull();
    if (icon === null || box === null) return;
    expect(icon.x).toBeGreaterThanOrEqual(box.x);
    expect(icon.x + icon.width).toBeLessThanOrEqual(box.x + 32);
    // Centred on the box's middle line, within a pixel.
    expect(Math.abs(icon.y + icon.height / 2 - (box.y + box.height / 2))).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(LOG_DIR, 'connect-records-dialog.png') });
    await page.context().close();
  });

  test('the template editor previews the saved template with a record found by name', async () => {
    const page = await signedIn(manager);
    await page.goto(`/email-templates/${encodeURIComponent(templateId)}`);
    const preview = page.getByRole('region', { name: 'Preview' });
    // The sample lead by default.
    await preview.getByText('Hello Nancy Anderson', { exact: true }).waitFor();

    await preview.getByLabel('Preview with a record').fill('Grace');
    await preview.getByRole('button', { name: 'Preview with Grace Hopper' }).click();
    await preview.getByText('Hello Grace Hopper', { exact: true }).waitFor();
    expect(await preview.getByRole('list', { name: 'Records found' }).count()).toBe(0);
    await preview.getByText(/Hello Grace Hopper of Analytical Engines Ltd, a word about engines\./).waitFor();
    expect(await seriousViolations(page, 'template-record-preview')).toEqual([]);
    await page.screenshot({ path: join(LOG_DIR, 'template-record-preview.png'), fullPage: true });

    // An unsaved change: the record's preview says it shows the saved template, until Save.
    await page.getByLabel('Subject').fill('A note for {{ record.name }}');
    await preview
      .getByText('This is the saved template: save to see your changes with Grace Hopper.')
      .waitFor();
    await preview.getByText('Hello Grace Hopper', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await preview.getByText('A note for Grace Hopper', { exact: true }).waitFor();
    expect(await preview.getByText('This is the saved template').count()).toBe(0);

    await preview.getByRole('button', { name: 'Back to the sample lead' }).click();
    await preview.getByText('A note for Nancy Anderson', { exact: true }).waitFor();
    await page.context().close();
  });

  test('no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
