import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support/api-harness.js';
import { activeSequence, aLead, enrolledLead } from './test-support/enrollment-fixtures.js';

describe('email templates', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  /** A template made by the administrator and a lead of the salesperson's, for a preview. */
  const templateAndLead = async (template: Record<string, unknown>, lead: Record<string, unknown>) => ({
    template: (
      await h.as('admin', { method: 'POST', url: '/api/email-templates', payload: template })
    ).json(),
    record: (
      await h.as('salesperson', { method: 'POST', url: '/api/records', payload: { type: 'lead', ...lead } })
    ).json(),
  });

  it('refuses a template with errors with 422 and the line and column of each', async () => {
    const response = await h.as('sequence_manager', {
      method: 'POST',
      url: '/api/email-templates',
      payload: {
        name: 'Broken',
        subject: 'Hi {{ record.name }}',
        body: 'Hello,\n\n{% if record.name %}\nno end',
      },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [
        { field: 'body', path: '/body', line: 3, column: expect.any(Number), message: expect.any(String) },
      ],
    });
    const unknown = await h.as('sequence_manager', {
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Unknown', subject: '{{ secret.key }}', body: 'x' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ field: 'subject', line: 1, column: 4 });
  });

  it('creates, reads, changes and deletes a template', async () => {
    const created = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Intro', subject: 'Hi {{ record.name }}', body: 'Hello', entityType: 'lead' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(
      (await h.as('salesperson', { method: 'GET', url: `/api/email-templates/${id}` })).json(),
    ).toMatchObject({ name: 'Intro', entityType: 'lead' });
    const list = await h.as('salesperson', { method: 'GET', url: '/api/email-templates?entityType=lead' });
    expect(list.json().items.map((t: { id: string }) => t.id)).toContain(id);
    const bad = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/email-templates/${id}`,
      payload: { body: '{{ record.name' },
    });
    expect(bad.statusCode).toBe(422);
    const put = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/email-templates/${id}`,
      payload: { name: 'Intro v2', subject: 'Hey' },
    });
    expect(put.json()).toMatchObject({ name: 'Intro v2', subject: 'Hey', body: 'Hello' });
    expect(
      (await h.as('salesperson', { method: 'DELETE', url: `/api/email-templates/${id}` })).statusCode,
    ).toBe(403);
    expect((await h.as('admin', { method: 'DELETE', url: `/api/email-templates/${id}` })).statusCode).toBe(
      204,
    );
    expect((await h.as('admin', { method: 'GET', url: `/api/email-templates/${id}` })).statusCode).toBe(404);
  });

  it("refuses to delete a template a running sequence sends: 409 with api.md's code `conflict`, the reason in errors", async () => {
    const template = (
      await h.as('sales_manager', {
        method: 'POST',
        url: '/api/email-templates',
        payload: { name: 'Sent by a running sequence', subject: 'Hi', body: 'Hello', entityType: 'lead' },
      })
    ).json();
    const sequence = await h.as('sales_manager', {
      method: 'POST',
      url: '/api/sequences',
      payload: {
        name: 'Sends the template',
        entityType: 'lead',
        definition: { start: 'a1', steps: [{ id: 'a1', type: 'automated_email', templateId: template.id }] },
      },
    });
    const activated = await h.as('sales_manager', {
      method: 'POST',
      url: `/api/sequences/${sequence.json().id}/activate`,
      payload: {},
    });
    expect(activated.statusCode).toBe(200);
    const refused = await h.as('sales_manager', {
      method: 'DELETE',
      url: `/api/email-templates/${template.id}`,
    });
    expect(refused.statusCode).toBe(409);
    // api.md lists the 409 codes a client may meet; the finer reason is named in errors, as a taken email's is.
    expect(refused.json()).toMatchObject({
      type: '/problems/conflict',
      code: 'conflict',
      errors: [{ code: 'template_in_use', message: expect.stringContaining('"Sends the template"') }],
    });
    expect(refused.json().detail).toContain('"Sends the template"');
    // Made for contacts only while a lead sequence sends it: the same answer.
    const retyped = await h.as('sales_manager', {
      method: 'PUT',
      url: `/api/email-templates/${template.id}`,
      payload: { entityType: 'contact' },
    });
    expect(retyped.statusCode).toBe(409);
    expect(retyped.json()).toMatchObject({ code: 'conflict', errors: [{ code: 'template_in_use' }] });
  });

  it('refuses a template without a subject or a body (422 template_empty on each), on create and on change', async () => {
    const blank = await h.as('sequence_manager', {
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Blank', subject: '  ', body: '\n' },
    });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().errors).toEqual([
      expect.objectContaining({ code: 'template_empty', path: '/subject' }),
      expect.objectContaining({ code: 'template_empty', path: '/body' }),
    ]);
    const made = await h.as('sequence_manager', {
      method: 'POST',
      url: '/api/email-templates',
      payload: { name: 'Fine', subject: 'Hi', body: 'Hello' },
    });
    expect(made.statusCode).toBe(201);
    const emptied = await h.as('sequence_manager', {
      method: 'PUT',
      url: `/api/email-templates/${made.json().id}`,
      payload: { body: '' },
    });
    expect(emptied.statusCode).toBe(422);
    expect(emptied.json().errors).toEqual([
      expect.objectContaining({ code: 'template_empty', path: '/body' }),
    ]);
  });

  it('previews a template with the merge fields of a record and the sender', async () => {
    const { template, record } = await templateAndLead(
      {
        name: 'Preview',
        subject: 'Quick question, {{ record.name }}',
        body: 'Hi {{ record.fields.title | default: "there" }},\n\nI saw {{ record.company }} is growing.\n\n{{ sender.name }}',
      },
      { name: 'Ada Lovelace', company: 'Analytical <Engines>', fields: { title: 'Countess' } },
    );
    const response = await h.as('salesperson', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId: record.id },
    });
    expect(response.statusCode).toBe(200);
    const preview = response.json();
    expect(preview.subject).toBe('Quick question, Ada Lovelace');
    expect(preview.text).toBe('Hi Countess,\n\nI saw Analytical <Engines> is growing.\n\nThe salesperson\n');
    expect(preview.html).toContain('Analytical &lt;Engines&gt;');
    const other = await h.as('seller2', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId: record.id },
    });
    expect(other.statusCode).toBe(404);
  });

  it("previews links as they are sent: the template's own URLs are links, a URL in record data is text", async () => {
    const { template, record } = await templateAndLead(
      {
        name: 'Preview links',
        subject: 'For {{ record.company }}',
        body: 'Hi {{ record.company }}\n\nhttps://example.com/offer?id={{ record.fields.code }}\n{{ unsubscribeUrl }}',
      },
      { name: 'Mallory', company: 'ACME https://evil.example/login', fields: { code: 'm1' } },
    );
    const response = await h.as('salesperson', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId: record.id },
    });
    expect(response.statusCode).toBe(200);
    const preview = response.json();
    expect(preview.html).toContain('<p>Hi ACME https://evil.example/login</p>');
    expect(preview.html).toContain('<a href="https://example.com/offer?id=m1">');
    expect(preview.html).toMatch(/<a href="http:\/\/localhost:\d+\/u\/preview">/);
    expect(preview.html.match(/<a /g)).toHaveLength(2);
    expect(preview.subject).toBe('For ACME https://evil.example/login');
    expect(preview.text).toContain('Hi ACME https://evil.example/login\n');
    for (const part of [preview.subject, preview.text, preview.html])
      expect(part).not.toMatch(/[\uE000-\uF8FF]/);
  });

  it("previews for an email step with its sequence's name, and a placeholder unsubscribe link", async () => {
    const template = (
      await h.as('admin', {
        method: 'POST',
        url: '/api/email-templates',
        payload: {
          name: 'Step preview',
          subject: 'From {{ sequence.name }}',
          body: 'Hi {{ record.name }}\n\nUnsubscribe: {{ unsubscribeUrl }}',
        },
      })
    ).json();
    const sequenceId = await activeSequence(h.deps, h.users.admin, 'email');
    const { recordId, stepRowId } = await enrolledLead(
      h.deps,
      h.users.admin,
      h.users.salesperson,
      sequenceId,
    );
    const name = (await h.deps.store.sequences.get(sequenceId))?.name;
    const preview = await h.as('salesperson', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId, enrollmentStepId: stepRowId },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().subject).toBe(`From ${name}`);
    expect(preview.json().text).toContain('Unsubscribe: http://localhost:');
    expect(preview.json().text).toContain('/u/preview');
    // Without the step: no sequence yet.
    const bare = await h.as('salesperson', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId },
    });
    expect(bare.json().subject).toBe('From');
    // A step of another record is not this record's: 404, nothing about it shown.
    const other = await aLead(h.deps, h.users.salesperson, 'Another lead');
    const mismatch = await h.as('salesperson', {
      method: 'POST',
      url: `/api/email-templates/${template.id}/preview`,
      payload: { recordId: other, enrollmentStepId: stepRowId },
    });
    expect(mismatch.statusCode).toBe(404);
  });
});
