// Browser tests of what a black-box audit of a seller's day found in the step cards and dialogs of My work
// and Up next: Log call showed neither the number nor the call script; LinkedIn steps had no link to the
// profile; the email dialog named no recipient; a bulk send meant ticking every box.
// One server, one browser, the test clock on a Monday 09:00 UTC, when every first step is open.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { seriousViolations } from './support/accessibility.js';
import { launchChromium } from './support/chromium.js';
import { nextMondayAtNine } from './support/layout.js';
import { OUTPUT_DIR } from './support/screenshots.js';
import { signInPage } from './support/sign-in.js';
import { type StackUser, type StepwiseStack, startStepwiseStack } from './support/stepwise-stack.js';

const skipReason = inject('e2eSkipReason');
const LOG_DIR = join(OUTPUT_DIR, '..', 'e2e-step-dialogs');
const CALL_SCRIPT = 'Ask how they plan Q1.\nOffer a 20-minute demo.';

interface RecordInput {
  type?: string;
  name: string;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  company?: string;
}

describe.skipIf(skipReason !== null)(
  '[e2e] Step dialogs: the number, the script, the profile, the recipient',
  () => {
    let stack: StepwiseStack;
    let browser: Browser;
    let seller: StackUser;
    const recordIds = new Map<string, string>();
    const pageErrors: string[] = [];

    const signedIn = (): Promise<Page> => signInPage(browser, stack.baseUrl, seller, pageErrors);
    const accessible = async (page: Page, screen: string) => {
      const problems = await seriousViolations(page, screen);
      expect.soft(problems, `serious accessibility violations:\n${problems.join('\n\n')}`).toEqual([]);
      await page.screenshot({ path: join(LOG_DIR, `${screen}.png`), fullPage: true });
    };

    beforeAll(async () => {
      mkdirSync(LOG_DIR, { recursive: true });
      stack = await startStepwiseStack({ logFile: join(LOG_DIR, 'server.log') });
      const { now } = await stack.api.request<{ now: string }>('GET', '/api/clock');
      await stack.api.moveClock({ set: nextMondayAtNine(now) });
      const admin = await stack.api.as(stack.admin.email, stack.admin.password);
      seller = await admin.createUser('Sam Seller', 'sam@stepwise.test', 'salesperson');

      const template = await admin.request<{ id: string }>('POST', '/api/email-templates', {
        name: 'Hello',
        subject: 'Hello {{ record.name }}',
        body: 'Hello {{ record.name }}, a word about engines.',
      });
      const oneStep = async (name: string, entityType: string, step: Record<string, unknown>) => {
        const sequence = await admin.request<{ id: string }>('POST', '/api/sequences', {
          name,
          entityType,
          definition: { start: 's1', steps: [{ id: 's1', ...step }] },
        });
        await admin.request('POST', `/api/sequences/${sequence.id}/activate`, {});
        return sequence.id;
      };
      const connect = async (sequenceId: string, records: RecordInput[]) => {
        const ids: string[] = [];
        for (const { type = 'lead', ...record } of records) {
          const created = await admin.request<{ id: string }>('POST', '/api/records', {
            type,
            ownerId: seller.id,
            ...record,
          });
          recordIds.set(record.name, created.id);
          ids.push(created.id);
        }
        await admin.request('POST', `/api/sequences/${sequenceId}/enrollments`, { recordIds: ids });
      };

      await connect(
        await oneStep('Calls', 'lead', {
          type: 'phone_call',
          name: 'Call them',
          description: CALL_SCRIPT,
        }),
        [{ name: 'Ada Lovelace', phone: '+44 20 7946 0000' }, { name: 'Nora Nophone' }],
      );
      await connect(
        await oneStep('LinkedIn', 'lead', { type: 'linkedin_connect', name: 'Connect on LinkedIn' }),
        [
          { name: 'Lin Kedin', linkedinUrl: 'https://www.linkedin.com/in/lin-kedin' },
          { name: 'Evil Link', linkedinUrl: 'javascript:alert(document.cookie)' },
          { name: 'Nolan Noprofile' },
        ],
      );
      // Una's address is unsubscribed: the email dialog still warns about it.
      await admin.request('POST', '/api/signals', {
        signals: [
          {
            type: 'email_unsubscribed',
            recordId: (
              await admin.request<{ id: string }>('POST', '/api/records', {
                type: 'lead',
                name: 'Una Old',
                email: 'una@example.test',
              })
            ).id,
          },
        ],
      });
      await connect(
        await oneStep('Lead emails', 'lead', {
          type: 'email',
          name: 'Introduce yourself',
          templateId: template.id,
        }),
        [
          { name: 'Emma One', email: 'emma.one@example.test' },
          { name: 'Emma Two', email: 'emma.two@example.test' },
          { name: 'Emma Three', email: 'emma.three@example.test' },
          { name: 'Una Unsubscribed', email: 'una@example.test' },
          { name: 'Nemo Noemail' },
        ],
      );
      // A prospect typed a link into their company name (a web form, an import): it must not become one.
      const offer = await admin.request<{ id: string }>('POST', '/api/email-templates', {
        name: 'Offer',
        subject: 'About {{ record.company }}',
        body: 'Hello {{ record.name }} of {{ record.company }},\n\nour offer: https://example.com/offer',
      });
      await connect(
        await oneStep('Account emails', 'account', {
          type: 'email',
          name: 'Make the offer',
          templateId: offer.id,
        }),
        [
          {
            type: 'account',
            name: 'Phil Phisher',
            email: 'phil@example.test',
            company: 'ACME https://evil.example/login',
          },
        ],
      );
      await connect(
        await oneStep('Contact emails', 'contact', {
          type: 'email',
          name: 'Say hello',
          templateId: template.id,
        }),
        [
          { type: 'contact', name: 'Carl Contact', email: 'carl@example.test' },
          { type: 'contact', name: 'Cora Contact', email: 'cora@example.test' },
        ],
      );
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    test('a call shows the number as a tel: link on the card and in Log call, with the call script', async () => {
      const page = await signedIn();
      const card = page.getByRole('article', { name: 'Ada Lovelace' });
      const number = card.getByRole('link', { name: '+44 20 7946 0000' });
      expect(await number.getAttribute('href')).toBe('tel:+442079460000');

      await card.getByRole('button', { name: 'Log call' }).click();
      const dialog = page.getByRole('dialog', { name: 'Log call with Ada Lovelace' });
      expect(await dialog.getByRole('link', { name: '+44 20 7946 0000' }).getAttribute('href')).toBe(
        'tel:+442079460000',
      );
      const script = dialog.getByRole('region', { name: 'Call script' });
      expect(await script.innerText()).toContain('Ask how they plan Q1.\nOffer a 20-minute demo.');
      await accessible(page, 'log-call-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Without a number, the card and the dialog say so.
      const nora = page.getByRole('article', { name: 'Nora Nophone' });
      await nora.getByText('This record has no phone number.').waitFor();
      await nora.getByRole('button', { name: 'Log call' }).click();
      const noraDialog = page.getByRole('dialog', { name: 'Log call with Nora Nophone' });
      await noraDialog.getByText('This record has no phone number.').waitFor();
      expect(await noraDialog.locator('a[href^="tel:"]').count()).toBe(0);
      await noraDialog.getByRole('radio', { name: 'No answer' }).check();
      await noraDialog.getByRole('button', { name: 'Log call' }).click();
      await page.getByText('Logged the call with Nora Nophone.').waitFor();
      await page.context().close();
    });

    test('Up next on the record page shows the number and, in Log call, the script', async () => {
      const page = await signedIn();
      await page.goto(`/records/leads/${recordIds.get('Ada Lovelace')}`);
      const upNext = page.getByRole('region', { name: 'Up next' });
      expect(await upNext.getByRole('link', { name: '+44 20 7946 0000' }).getAttribute('href')).toBe(
        'tel:+442079460000',
      );
      await upNext.getByRole('button', { name: 'Log call' }).click();
      const dialog = page.getByRole('dialog', { name: 'Log call with Ada Lovelace' });
      await dialog
        .getByRole('region', { name: 'Call script' })
        .getByText(/Offer a 20-minute demo/)
        .waitFor();
      await dialog.getByRole('link', { name: '+44 20 7946 0000' }).waitFor();
      await page.context().close();
    });

    test('a LinkedIn step opens the profile in a new tab; never a javascript: address; a hint without one', async () => {
      const page = await signedIn();
      const card = page.getByRole('article', { name: 'Lin Kedin' });
      const link = card.getByRole('link', { name: /^Open LinkedIn profile/ });
      expect(await link.getAttribute('href')).toBe('https://www.linkedin.com/in/lin-kedin');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect((await link.getAttribute('rel'))?.split(' ').sort()).toEqual(['noopener', 'noreferrer']);

      const evil = page.getByRole('article', { name: 'Evil Link' });
      await evil.getByText(/not a web address/).waitFor();
      expect(await evil.getByRole('link', { name: /LinkedIn/ }).count()).toBe(0);
      await page
        .getByRole('article', { name: 'Nolan Noprofile' })
        .getByText('This record has no LinkedIn profile.')
        .waitFor();

      await card.getByRole('button', { name: 'Complete' }).click();
      const dialog = page.getByRole('dialog', { name: 'Complete: Connect on LinkedIn' });
      expect(await dialog.getByRole('link', { name: /^Open LinkedIn profile/ }).getAttribute('href')).toBe(
        'https://www.linkedin.com/in/lin-kedin',
      );
      await accessible(page, 'linkedin-complete-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await evil.getByRole('button', { name: 'Complete' }).click();
      await page
        .getByRole('dialog', { name: 'Complete: Connect on LinkedIn' })
        .getByText(/not a web address/)
        .waitFor();
      expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
      await page.keyboard.press('Escape');

      // The record page's own LinkedIn detail and Up next follow the same rule.
      await page.goto(`/records/leads/${recordIds.get('Evil Link')}`);
      await page
        .getByRole('region', { name: 'Up next' })
        .getByText(/not a web address/)
        .waitFor();
      expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
      await page.goto(`/records/leads/${recordIds.get('Lin Kedin')}`);
      await page
        .getByRole('region', { name: 'Up next' })
        .getByRole('link', { name: /^Open LinkedIn profile/ })
        .waitFor();
      await page.context().close();
    });

    test('the email dialog says who it goes to, and still warns about a suppressed address', async () => {
      const page = await signedIn();
      await page
        .getByRole('article', { name: 'Emma One' })
        .getByRole('button', { name: 'Send email' })
        .click();
      const dialog = page.getByRole('dialog', { name: 'Email to Emma One' });
      await dialog.getByText('To: Emma One <emma.one@example.test>').waitFor();
      await dialog.getByLabel('Subject').waitFor();
      await accessible(page, 'send-email-dialog');
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await page
        .getByRole('article', { name: 'Una Unsubscribed' })
        .getByRole('button', { name: 'Send email' })
        .click();
      const una = page.getByRole('dialog', { name: 'Email to Una Unsubscribed' });
      await una.getByText('To: Una Unsubscribed <una@example.test>').waitFor();
      await una.getByRole('alert').filter({ hasText: 'emails to this address are not sent' }).waitFor();
      await una.getByRole('button', { name: 'Cancel' }).click();

      await page
        .getByRole('article', { name: 'Nemo Noemail' })
        .getByRole('button', { name: 'Send email' })
        .click();
      await page
        .getByRole('dialog', { name: 'Email to Nemo Noemail' })
        .getByText('(this record has no email address)')
        .waitFor();
      await page.context().close();
    });

    test('an email sent as rendered links the template’s own URLs, never one typed into the record', async () => {
      const page = await signedIn();
      await page
        .getByRole('article', { name: 'Phil Phisher' })
        .getByRole('button', { name: 'Send email' })
        .click();
      const dialog = page.getByRole('dialog', { name: 'Email to Phil Phisher' });
      await expect
        .poll(() => dialog.getByLabel('Message').inputValue())
        .toContain('https://evil.example/login');
      await dialog.getByRole('button', { name: 'Send email' }).click();
      await page.getByText(/^Queued the email to Phil Phisher/).waitFor();
      const [sent] = await stack.waitForMail((m) => m.subject === 'About ACME https://evil.example/login', 1);
      const html = String(sent?.html);
      expect(html).toMatch(/<a [^>]*>[^<]*example\.com\/offer/);
      expect(html).toContain('https://evil.example/login');
      expect(html).not.toMatch(/<a [^>]*>[^<]*evil\.example/);
      await page.context().close();
    });

    test('Select all takes the due emails shown (the filters hold), with the count; Clear empties it', async () => {
      const page = await signedIn();
      await page.getByRole('article', { name: 'Emma One' }).waitFor();
      const bar = page.locator('.bulk-bar');
      // Two email steps are shown: Select all takes one step's, and says which.
      await bar.getByText(/^Emails of one step go out together/).waitFor();

      await page.getByLabel('Record type').selectOption('lead');
      await bar.getByText('0 of 5 due emails selected').waitFor();
      await bar.getByRole('button', { name: 'Select all (5)' }).click();
      await bar.getByText('5 of 5 due emails selected').waitFor();
      expect(await bar.getByText(/^Emails of one step/).count()).toBe(0);
      for (const name of ['Emma One', 'Emma Two', 'Emma Three', 'Una Unsubscribed', 'Nemo Noemail'])
        expect(
          await page
            .getByRole('checkbox', { name: `Select the email to ${name} for a bulk send` })
            .isChecked(),
        ).toBe(true);
      expect(await bar.getByRole('button', { name: /^Select all/ }).count()).toBe(0);
      await bar.getByRole('button', { name: 'Send 5 emails' }).waitFor();
      await accessible(page, 'bulk-select-all');
      await bar.getByRole('button', { name: 'Clear' }).click();
      await bar.getByText('0 of 5 due emails selected').waitFor();

      // Another filter, another set: only the contacts' emails are taken.
      await page.getByLabel('Record type').selectOption('contact');
      await bar.getByRole('button', { name: 'Select all (2)' }).click();
      await bar.getByText('2 of 2 due emails selected').waitFor();
      await bar.getByRole('button', { name: 'Send 2 emails' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send 2 emails' });
      const listed = await dialog.locator('.bulk-results li strong').allTextContents();
      expect(listed.sort()).toEqual(['Carl Contact', 'Cora Contact']);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // A filter that shows no due email shows no Select all.
      await page.getByLabel('Record type').selectOption('all');
      await page.getByLabel('Activity type').selectOption('phone_call');
      await page.getByRole('article', { name: 'Ada Lovelace' }).waitFor();
      await expect.poll(() => page.getByRole('article', { name: 'Emma One' }).count()).toBe(0);
      expect(await bar.isVisible()).toBe(false);
      await page.context().close();
    });

    test('closing a step dialog gives focus back to the button that opened it (the seller keeps their place)', async () => {
      const page = await signedIn();
      const card = page.getByRole('article', { name: 'Ada Lovelace' });
      const focusedIs = (button: string) =>
        card.getByRole('button', { name: button, exact: true }).evaluate((b) => b === document.activeElement);
      for (const [button, dialogName] of [
        ['Snooze', /^Snooze/],
        ['Skip', /^Skip/],
        ['Log call', 'Log call with Ada Lovelace'],
      ] as const) {
        await card.getByRole('button', { name: button, exact: true }).focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: dialogName });
        await dialog.waitFor();
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        await expect
          .poll(() => focusedIs(button), { message: `focus after ${button} and Escape` })
          .toBe(true);
      }
      // Cancel too.
      await card.getByRole('button', { name: 'Snooze', exact: true }).click();
      await page
        .getByRole('dialog', { name: /^Snooze/ })
        .getByRole('button', { name: 'Cancel' })
        .click();
      await expect.poll(() => focusedIs('Snooze')).toBe(true);
      await page.context().close();
    });

    test('a step done from the keyboard hands the focus to the card now in its place (the seller goes on from there)', async () => {
      const page = await signedIn();
      const card = page.getByRole('article', { name: 'Nolan Noprofile' });
      await card.waitFor();
      const before = await page.locator('.work-list > li .work-card-title').allTextContents();
      const index = before.indexOf('Nolan Noprofile');
      expect(index).toBeGreaterThanOrEqual(0);
      const next = before[index + 1] ?? before[index - 1];
      await card.getByRole('button', { name: 'Complete', exact: true }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: /^Complete/ });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await card.waitFor({ state: 'detached' });
      // The focus is on the first action of the card that followed (not on the page's body).
      const focused = () =>
        page.evaluate(() => {
          const active = document.activeElement;
          return {
            card: active?.closest('article')?.querySelector('.work-card-title')?.textContent ?? null,
            first: active === active?.closest('.step-actions')?.querySelector('button'),
          };
        });
      await expect.poll(focused).toEqual({ card: next, first: true });
      await page.context().close();
    });

    test('no page had an uncaught error', () => {
      expect(pageErrors).toEqual([]);
    });
  },
);
