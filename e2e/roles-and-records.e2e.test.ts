// Browser tests of what each role is offered and of the screens around a record: a sales manager designs
// (the header follows each Save; the + of a branch stays clickable with the side panel open), a salesperson
// sees only what their role can do, creates, edits and deletes their own leads, and a record that is not
// theirs says so instead of offering a retry, and a salesperson keeps their own account (time zone, sending
// mailbox, API tokens). One server, one browser; each test signs in as it needs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { loadedWidth } from './support/layout.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import {
  ApiClient,
  type StackUser,
  type StepwiseStack,
  startStepwiseStack,
} from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
/** Beside the scenario's folder, which it empties when it starts. */
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-roles');

describe.skipIf(skipReason !== null)('[e2e] roles, the designer header and records', () => {
  let stack: StepwiseStack;
  let browser: Browser;
  let salesManager: StackUser;
  let seller: StackUser;
  let otherSellersLead = '';
  const pageErrors: string[] = [];

  const signedIn = (user: StackUser): Promise<Page> => signInPage(browser, stack.baseUrl, user, pageErrors);

  const accessible = async (page: Page, screen: string) => {
    const problems = await seriousViolations(page, screen);
    expect.soft(problems, `serious accessibility violations:\n${problems.join('\n\n')}`).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(LOG_DIR, { recursive: true });
    stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
    const user = (name: string, email: string, role: string) => stack.api.createUser(name, email, role);
    salesManager = await user('Mona Manager', 'mona@stepwise.test', 'sales_manager');
    seller = await user('Sue Seller', 'sue@stepwise.test', 'salesperson');
    const otherSeller = await user('Otto Other', 'otto@stepwise.test', 'salesperson');
    otherSellersLead = (
      await stack.api.request<{ id: string }>('POST', '/api/records', {
        type: 'lead',
        name: 'Not Sues Lead',
        ownerId: otherSeller.id,
      })
    ).id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('the header shows the saved summary after Save, and "1 step" in the singular', async () => {
    const asManager = await stack.api.as(salesManager.email, salesManager.password);
    const sequence = await asManager.request<{ id: string }>('POST', '/api/sequences', {
      name: 'Header check',
      entityType: 'lead',
      definition: {
        start: 'e1',
        steps: [
          { id: 'e1', type: 'email', name: 'Intro email', next: 'c1' },
          {
            id: 'c1',
            type: 'condition',
            name: 'Email opened',
            if: { signal: 'email_opened', step: 'e1' },
            within: 'P2D',
          },
        ],
      },
    });
    const page = await signedIn(salesManager);
    await page.goto(`/sequences/${encodeURIComponent(sequence.id)}`);
    const summary = page.locator('.sequence-header p.muted');
    await expect.poll(() => summary.textContent()).toMatch(/version 1 · 1 step · 2 days/);

    // Yes branch: a phone call; its side panel opens.
    await page.getByRole('button', { name: 'Add a step on the Yes branch of “Email opened”' }).click();
    const picker = page.getByRole('dialog', { name: 'Add a step' });
    await picker.getByRole('button').filter({ hasText: 'The seller calls' }).click();
    await picker.waitFor({ state: 'hidden' });
    await page.getByRole('complementary', { name: /^Step: / }).waitFor();

    // With the panel open, the No branch's + takes a real mouse click (not only Enter).
    const noPlus = page.getByRole('button', { name: 'Add a step on the No branch of “Email opened”' });
    await noPlus.click();
    await picker.waitFor();
    await picker.getByRole('button').filter({ hasText: 'A custom activity' }).click();
    await picker.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'hidden' });
    await expect.poll(() => summary.textContent()).toMatch(/version 1 · 3 steps · 2 days/);
    const saved = await asManager.request<{ summary: { stepCount: number } }>(
      'GET',
      `/api/sequences/${encodeURIComponent(sequence.id)}`,
    );
    expect(saved.summary.stepCount).toBe(3);
    await page.context().close();
  });

  test('a salesperson is offered only what their role can do', async () => {
    const page = await signedIn(seller);
    await page.goto('/sequences');
    await page.getByRole('heading', { level: 1, name: 'Sequences' }).waitFor();
    await page.getByRole('heading', { name: 'No active sequences' }).waitFor();
    expect(await page.getByRole('button', { name: /New sequence|Create a sequence/ }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Leads' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Email templates' }).count()).toBe(0);
    await accessible(page, 'seller-sequences');
    await page.context().close();
  });

  test('another seller’s record says it is not theirs, with the way back instead of "Try again"', async () => {
    const page = await signedIn(seller);
    await page.goto(`/records/leads/${encodeURIComponent(otherSellersLead)}`);
    await page.getByRole('heading', { name: 'This record does not exist or is not yours' }).waitFor();
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to leads' }).click();
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    await accessible(page, 'seller-leads');
    await page.context().close();
  });

  test('a salesperson creates a lead, edits it and deletes it after confirming', async () => {
    const page = await signedIn(seller);
    await page.goto('/records/leads');
    await page.getByRole('heading', { level: 1, name: 'Leads' }).waitFor();
    await page.getByRole('button', { name: 'New lead' }).click();
    const create = page.getByRole('dialog', { name: 'New lead' });
    await create.getByLabel('Name', { exact: true }).fill('Lena Lead');
    await create.getByLabel('Email').fill('lena@example.test');
    await create.getByLabel('Company').fill('First Co');
    await create.getByLabel('LinkedIn profile').fill('https://www.linkedin.com/in/lena');
    // A custom field, as email templates read it ({{ record.fields.title }}).
    await create.getByRole('button', { name: 'Add a field' }).click();
    await create.getByLabel('Name of field 1').fill('title');
    await create.getByLabel('Value of “title”').fill('VP Sales');
    expect(await create.getByLabel('Owner').count()).toBe(0); // a seller's records are their own
    await accessible(page, 'seller-new-lead');
    await create.getByRole('button', { name: 'Create lead' }).click();
    await create.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: /Lena Lead/ });
    await row.getByRole('cell', { name: 'First Co' }).waitFor();

    await row.getByRole('button', { name: 'Edit Lena Lead' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Lena Lead' });
    expect(await edit.getByLabel('Email').inputValue()).toBe('lena@example.test');
    await edit.getByLabel('Company').fill('Second Co');
    await edit.getByLabel('Email').fill('');
    expect(await edit.getByLabel('Value of “title”').inputValue()).toBe('VP Sales');
    await edit.getByRole('button', { name: 'Add a field' }).click();
    await edit.getByLabel('Name of field 2').fill('employees');
    await edit.getByLabel('Kind of “employees”').selectOption('number');
    await edit.getByLabel('Value of “employees”').fill('many');
    await edit.getByText('Not a number.').waitFor(); // and Save waits for a number
    expect(await edit.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await edit.getByLabel('Value of “employees”').fill('250');
    await page.screenshot({ path: join(LOG_DIR, 'record-form-custom-fields.png') });
    await edit.getByRole('button', { name: 'Remove “title”' }).click();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: 'Second Co' }).waitFor();
    const asSeller = await stack.api.as(seller.email, seller.password);
    const listed = await asSeller.request<{
      items: { name: string; email: string | null; company: string; ownerId: string }[];
    }>('GET', '/api/records?type=lead&q=Lena');
    expect(listed.items).toMatchObject([
      { name: 'Lena Lead', email: null, company: 'Second Co', ownerId: seller.id },
    ]);
    const [lena] = listed.items as unknown as { id: string }[];
    expect(await asSeller.request('GET', `/api/records/${encodeURIComponent(lena?.id ?? '')}`)).toMatchObject(
      { linkedinUrl: 'https://www.linkedin.com/in/lena', fields: { employees: 250 } },
    );
    expect(
      (await asSeller.request<{ fields: Record<string, unknown> }>('GET', `/api/records/${lena?.id}`)).fields,
    ).not.toHaveProperty('title');

    await row.getByRole('button', { name: 'Delete Lena Lead' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Lena Lead?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await row.waitFor(); // nothing deleted without the confirmation
    await row.getByRole('button', { name: 'Delete Lena Lead' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect(
      (await asSeller.request<{ items: unknown[] }>('GET', '/api/records?type=lead&q=Lena')).items,
    ).toEqual([]);
    await page.context().close();
  });

  test('a salesperson keeps their own account: time zone, mailbox and an API token shown once', {
    timeout: 120_000,
  }, async () => {
    const page = await signedIn(seller);
    const asSeller = await stack.api.as(seller.email, seller.password);
    // Settings is for administrators; it points a seller to their own account.
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Administrators only' }).waitFor();
    await page.getByRole('link', { name: 'Go to Your account' }).waitFor();
    await page.goto('/sequences');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');

    // Profile: a new time zone, saved through PATCH /api/users/me.
    const profile = page.getByRole('region', { name: 'Profile', exact: true });
    // The label holds its error too once the zone is not valid.
    const zone = profile.getByLabel(/^Time zone/);
    expect(await zone.inputValue()).toBe('UTC');
    await zone.fill('Mars/Olympus');
    await profile.getByText('Not an IANA time zone (e.g. Europe/Paris).').waitFor();
    await zone.fill('America/New_York');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText(/Your calendar is now in America\/New_York/).waitFor();
    expect((await asSeller.request<{ timezone: string }>('GET', '/api/users/me')).timezone).toBe(
      'America/New_York',
    );

    // Your mailbox: the installation default sends until they add their own.
    const mailbox = page.getByRole('region', { name: 'Your mailbox', exact: true });
    await mailbox.getByText(/the installation’s default mailbox sends your emails/).waitFor();
    await mailbox.getByRole('button', { name: 'Add your mailbox' }).click();
    const form = mailbox.getByRole('form', { name: 'Your mailbox settings' });
    expect(await form.getByLabel('From address').inputValue()).toBe(seller.email);
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(stack.smtpPort));
    await form.getByLabel('User name').fill('sue');
    await form.getByLabel('Password').fill('sue smtp password');
    await form.getByLabel('From name').fill('Sue at Stepwise');
    // A seller's mailbox sends as them: the From address is theirs, not to be changed here.
    expect(await form.getByLabel('From address').getAttribute('readonly')).not.toBeNull();
    await form
      .getByText('Your mailbox sends as you, from your own email address.', { exact: false })
      .waitFor();
    await accessible(page, 'seller-account-mailbox-form');
    await form.getByRole('button', { name: 'Save mailbox' }).click();
    await mailbox.getByText('Your mailbox was added: your emails now go out through it.').waitFor();
    await mailbox.getByText(`127.0.0.1:${stack.smtpPort}`, { exact: false }).waitFor();
    await mailbox.getByText('sue · password stored').waitFor();
    expect(await asSeller.request<Record<string, unknown>>('GET', '/api/users/me/mailbox')).toMatchObject({
      userId: seller.id,
      host: '127.0.0.1',
      port: stack.smtpPort,
      username: 'sue',
      hasPassword: true,
      fromAddress: seller.email,
      fromName: 'Sue at Stepwise',
    });
    expect((await asSeller.request<{ mailbox: string }>('GET', '/api/users/me')).mailbox).toBe('own');

    // API tokens: created, shown once, working, then revoked after confirming.
    const tokens = page.getByRole('region', { name: 'API tokens', exact: true });
    await tokens.getByRole('heading', { name: 'No API tokens yet' }).waitFor();
    await tokens.getByLabel('Token name').fill('E2E script');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const once = tokens.getByRole('region', { name: 'Your new token' });
    await once.getByText(/shown only this once/).waitFor();
    const token = await once.getByLabel('New token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    const viaToken = new ApiClient(stack.baseUrl, token);
    expect((await viaToken.request<{ id: string }>('GET', '/api/users/me')).id).toBe(seller.id);
    await accessible(page, 'seller-account-token');
    await page.screenshot({ path: join(LOG_DIR, 'account.png'), fullPage: true });
    await once.getByRole('button', { name: 'Done, hide it' }).click();
    await once.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(token);
    const row = tokens.getByRole('row', { name: /E2E script/ });
    await row.getByText('Active').waitFor();
    await row.getByRole('button', { name: 'Revoke E2E script' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “E2E script”?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await viaToken.request('GET', '/api/users/me'); // still works: nothing revoked without confirming
    await row.getByRole('button', { name: 'Revoke E2E script' }).click();
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await tokens.getByText('The token “E2E script” was revoked.').waitFor();
    await row.getByText('Revoked', { exact: true }).waitFor();
    await expect(viaToken.request('GET', '/api/users/me')).rejects.toThrow(/answered 401/);

    // The password: a wrong current one is named at its field; a change keeps this tab signed in and ends
    // the other sessions (asSeller's), and the new password signs in.
    const password = page.getByRole('region', { name: 'Password' });
    await password.getByLabel('Current password').fill('not the password');
    await password.getByLabel('New password', { exact: true }).fill('a fresh passphrase');
    await password.getByLabel('New password again').fill('a fresh passphrase');
    await password.getByRole('button', { name: 'Change password' }).click();
    await password.getByText('This is not your current password.').waitFor();
    await password.getByLabel('Current password').fill(seller.password);
    await password.getByRole('button', { name: 'Change password' }).click();
    await password.getByText('Your password was changed.').waitFor();
    await expect(asSeller.request('GET', '/api/users/me')).rejects.toThrow(/answered 401/);
    await stack.api.as(seller.email, 'a fresh passphrase');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    seller.password = 'a fresh passphrase';

    // At 390 px wide: nothing wider than the screen, with the mailbox shown and its form open.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    const widths: string[] = [];
    const measure = async (state: string) => {
      const width = await loadedWidth(page);
      if (width > 391) widths.push(`${state}: ${width} px`);
    };
    await mailbox.getByRole('button', { name: 'Change your mailbox' }).waitFor();
    await row.waitFor();
    await measure('account');
    await page.screenshot({ path: join(LOG_DIR, 'account-phone.png'), fullPage: true });
    await mailbox.getByRole('button', { name: 'Change your mailbox' }).click();
    await form.waitFor();
    await measure('account with the mailbox form open');
    await page.screenshot({ path: join(LOG_DIR, 'account-phone-mailbox-form.png'), fullPage: true });
    expect(widths, `wider than the 390 px screen:\n${widths.join('\n')}`).toEqual([]);
    await accessible(page, 'seller-account-phone');
    await page.context().close();
  });

  test('no uncaught errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
