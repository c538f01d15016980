import { describe, expect, it } from 'vitest';
import {
  type CompiledTemplate,
  compileTemplate,
  type MergeContext,
  renderEmail,
  TemplateRenderError,
  type TemplateSource,
} from './render.js';

const context: MergeContext = {
  record: {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    company: 'Analytical Engines Ltd',
    phone: null,
    fields: { title: 'CTO', seats: 40 },
  },
  sender: { name: 'Sam Seller', email: 'sam@stepwise.example' },
  owner: { name: 'Olivia Owner', email: 'olivia@stepwise.example' },
  sequence: { name: 'Q3 outbound' },
  unsubscribeUrl: 'https://stepwise.example/u/tok123',
};

function compiled(source: TemplateSource): CompiledTemplate {
  const result = compileTemplate(source);
  if (!result.ok) throw new Error(`expected a valid template: ${JSON.stringify(result.errors)}`);
  return result.compiled;
}

function render(body: string, ctx: MergeContext = context, subject = 'Hi') {
  return renderEmail(compiled({ subject, body }), ctx);
}

function renderError(body: string, ctx: MergeContext = context): TemplateRenderError {
  try {
    render(body, ctx);
  } catch (error) {
    if (error instanceof TemplateRenderError) return error;
    throw error;
  }
  throw new Error('expected the render to fail');
}

describe('merge fields', () => {
  it('fills record, custom field, sender, owner, sequence and unsubscribe values', () => {
    const email = renderEmail(
      compiled({
        subject: 'Quick question for {{ record.company }}',
        body: [
          'Hi {{ record.name }} ({{ record.fields.title }}, {{ record.fields.seats }} seats),',
          '',
          'This is {{ sender.name }} <{{ sender.email }}>, working with {{ owner.name }} on {{ sequence.name }}.',
          'Unsubscribe: {{ unsubscribeUrl }}',
        ].join('\n'),
      }),
      context,
    );
    expect(email.subject).toBe('Quick question for Analytical Engines Ltd');
    expect(email.text).toBe(
      'Hi Ada Lovelace (CTO, 40 seats),\n\nThis is Sam Seller <sam@stepwise.example>, working with Olivia Owner on Q3 outbound.\nUnsubscribe: https://stepwise.example/u/tok123\n',
    );
    expect(email.html).toContain('<p>Hi Ada Lovelace (CTO, 40 seats),</p>');
    expect(email.html).toContain(
      'This is Sam Seller &lt;sam@stepwise.example&gt;, working with Olivia Owner on Q3 outbound.<br>\nUnsubscribe: <a href="https://stepwise.example/u/tok123">https://stepwise.example/u/tok123</a></p>',
    );
  });

  it('uses default for missing, null and empty values', () => {
    const email = render(
      'Hi {{ record.fields.nickname | default: "there" }}, {{ record.phone | default: "no phone" }}, {{ record.missing.deep | default: "-" }}',
    );
    expect(email.text).toBe('Hi there, no phone, -\n');
  });

  it('renders a missing value without default as empty text', () => {
    expect(render('[{{ record.fields.nickname }}]').text).toBe('[]\n');
  });

  it('keeps the subject on one line', () => {
    const email = render(
      'body',
      { ...context, record: { ...context.record, name: 'Ada\r\nBcc: x@evil' } },
      'Hi\n{{ record.name }}',
    );
    expect(email.subject).toBe('Hi Ada Bcc: x@evil');
  });

  it('always has a text part and an HTML part with paragraphs', () => {
    const email = render('First line\nsecond line\n\n\nSecond paragraph, see https://example.com/a?b=1&c=2.');
    expect(email.text).toBe(
      'First line\nsecond line\n\n\nSecond paragraph, see https://example.com/a?b=1&c=2.\n',
    );
    expect(email.html).toContain('<p>First line<br>\nsecond line</p>\n<p>Second paragraph, see ');
    expect(email.html).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>.</p>',
    );
  });
});

describe('escaping', () => {
  const hostile: MergeContext = {
    ...context,
    record: {
      ...context.record,
      name: '<script>alert(1)</script>',
      fields: { title: '"><img src=x onerror=alert(1)>' },
    },
  };

  it('escapes values in the HTML part and keeps them verbatim in the text part', () => {
    const email = render('Hi {{ record.name }} {{ record.fields.title }}', hostile);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.text).toContain('<script>alert(1)</script>');
  });

  it('cannot be bypassed with the raw filter', () => {
    expect(render('{{ record.name | raw }}', hostile).html).not.toContain('<script>');
  });

  it('escapes markup written into the template itself, since the body is plain text', () => {
    expect(render('<b>bold</b>').html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('links', () => {
  // Record values come from web forms and CSV imports: a prospect must not get a link of their own
  // into mail sent from the company (nor, with tracking, a signed redirect on its domain).
  const prospect: MergeContext = {
    ...context,
    record: {
      ...context.record,
      id: 'rec_42',
      company: 'ACME https://evil.example/login',
      fields: { site: 'https://evil.example/a', path: '@evil.example/', note: 'x' },
    },
  };
  const PRIVATE_USE = /[\uE000-\uF8FF]/;

  function expectNoMarks(email: { subject: string; text: string; html: string }) {
    expect(email.subject).not.toMatch(PRIVATE_USE);
    expect(email.text).not.toMatch(PRIVATE_USE);
    expect(email.html).not.toMatch(PRIVATE_USE);
  }

  it('does not link a URL that starts in a merged value, in any way the template writes it', () => {
    const email = render(
      [
        'Hi {{ record.company }}',
        'Site: {{ record.fields.site }}, {{ record.fields.site | raw }}, {% echo record.fields.site %}',
        '{% cycle record.fields.site, "b" %} {{ record.fields.site | upcase | downcase }}',
        '{% capture c %}see {{ record.fields.site }}{% endcapture %}{{ c }}',
      ].join('\n'),
      prospect,
      'About {{ record.company }}',
    );
    expect(email.html).not.toContain('<a ');
    expect(email.html).toContain('Hi ACME https://evil.example/login<br>');
    expect(email.text).toContain('Hi ACME https://evil.example/login\nSite: https://evil.example/a, ');
    expect(email.subject).toBe('About ACME https://evil.example/login');
    expectNoMarks(email);
  });

  it("links the template's own URLs, one with a merged query value too, and the unsubscribe URL", () => {
    const email = render(
      'See https://example.com/pricing. Offer: https://example.com/offer?id={{ record.id }}&c={{ record.company }}\n' +
        'Unsubscribe: {{ unsubscribeUrl }}',
      prospect,
    );
    expect(email.html).toContain(
      'See <a href="https://example.com/pricing">https://example.com/pricing</a>.',
    );
    // The URL ends at the space in the value, as in the text part; what follows is text.
    expect(email.html).toContain(
      'Offer: <a href="https://example.com/offer?id=rec_42&amp;c=ACME">https://example.com/offer?id=rec_42&amp;c=ACME</a> https://evil.example/login<br>',
    );
    expect(email.html).toContain('<a href="https://stepwise.example/u/tok123">');
    expect(email.html.match(/<a /g)).toHaveLength(3);
    expectNoMarks(email);
  });

  it('does not link a template URL whose host a merged value ends', () => {
    const email = render('https://example.com{{ record.fields.path }}login', prospect);
    expect(email.text).toBe('https://example.com@evil.example/login\n');
    expect(email.html).not.toContain('<a ');
  });

  it('takes private-use marks out of values, so a value cannot fake template text', () => {
    const forged: MergeContext = {
      ...context,
      record: { ...context.record, company: '\uE001https://evil.example/\uE000' },
    };
    const email = render('Hi {{ record.company }}', forged, '{{ record.company }}');
    expect(email.html).not.toContain('<a ');
    expect(email.text).toBe('Hi https://evil.example/\n');
    expectNoMarks(email);
  });
});

describe('compile errors', () => {
  it('reports the field, line and column of a syntax error', () => {
    const result = compileTemplate({ subject: 'ok', body: 'line one\n  {% if %}x{% endif %}' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ field: 'body', line: 2 });
    expect(result.errors[0]?.column).toBeGreaterThan(1);
  });

  it('reports an unknown filter (strictFilters) with its position', () => {
    const result = compileTemplate({ subject: 'Hi {{ record.name | shout }}', body: 'x' });
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'subject', line: 1, column: 4, message: 'undefined filter: shout' }],
    });
  });

  it('reports an unknown merge field root, so a typo fails on save rather than rendering empty', () => {
    const result = compileTemplate({ subject: 'x', body: 'Hi\n{{ recrod.name }}' });
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          field: 'body',
          line: 2,
          column: 4,
          message: expect.stringContaining('recrod.name'),
        }),
      ],
    });
  });

  it('allows loop and assigned variables', () => {
    const result = compileTemplate({
      subject: 'x',
      body: '{% assign n = record.name | upcase %}{{ n }}{% for c in record.fields %}{{ forloop.index }}{% endfor %}',
    });
    expect(result.ok).toBe(true);
  });

  it('reports errors of both fields together', () => {
    const result = compileTemplate({ subject: '{{ x', body: '{% unknowntag %}' });
    expect(result.ok ? [] : result.errors.map((error) => error.field)).toEqual(['subject', 'body']);
  });

  it('refuses templates longer than the parse limit', () => {
    const result = compileTemplate({ subject: 'x', body: 'a'.repeat(100_001) });
    expect(result.ok ? '' : result.errors[0]?.message).toContain('parse length limit exceeded');
  });
});

describe('security', () => {
  it.each([
    '{{ record.constructor }}',
    '{{ record.constructor.name }}',
    '{{ record.__proto__ }}',
    '{{ record["__proto__"].toString }}',
    '{{ record.name.constructor }}',
    '{{ record.fields.constructor.constructor }}',
    '{{ sender.hasOwnProperty }}',
    '{{ record.toString }}',
  ])('reaches nothing through the prototype chain: %s', (body) => {
    expect(render(body).text).toBe('\n');
  });

  it.each(['{{ "" | constructor }}', '{{ record | constructor }}', '{{ record.name | __proto__ }}'])(
    'refuses prototype names used as filters: %s',
    (subject) => {
      const result = compileTemplate({ subject, body: 'x' });
      expect(result.ok).toBe(false);
    },
  );

  it.each(['{% include "other" %}', '{% render "/etc/passwd" %}', '{% layout "base" %}'])(
    'refuses tags that load other templates: %s',
    (body) => {
      const result = compileTemplate({ subject: 'x', body });
      expect(result.ok ? '' : result.errors[0]?.message).toMatch(/is not available in email templates/);
    },
  );

  it('sees only the context passed: other records, globals and process are refused on save', () => {
    const result = compileTemplate({
      subject: 'x',
      body: '[{{ records }}][{{ process.env }}][{{ global }}][{{ globalThis }}][{{ this }}][{{ require }}]',
    });
    expect(result.ok ? [] : result.errors.map((error) => error.message.split(';')[0])).toEqual([
      'unknown merge field "records"',
      'unknown merge field "process.env"',
      'unknown merge field "global"',
      'unknown merge field "globalThis"',
      'unknown merge field "this"',
      'unknown merge field "require"',
    ]);
  });

  it('sees only the merge roots even when the caller passes more', () => {
    const smuggled = { ...context, otherRecord: { name: 'Grace Hopper' } } as MergeContext;
    expect(render('{% for pair in record %}{{ pair[0] }} {% endfor %}', smuggled).text).toBe(
      'name email company phone fields\n',
    );
  });

  it('sees only data: functions and class instances in the context are dropped, not called', () => {
    let called = false;
    const record = {
      ...context.record,
      fields: {},
      secret: () => {
        called = true;
        return 'leak';
      },
    } as unknown as MergeContext['record'];
    expect(render('[{{ record.secret }}]', { ...context, record }).text).toBe('[]\n');
    expect(called).toBe(false);
  });

  it('stops a huge range loop with a clear error, fast', () => {
    const error = renderError('{% for i in (1..100000000) %}x{% endfor %}');
    expect(error.code).toBe('memory_limit_exceeded');
    expect(error.message).toMatch(/stopped/);
    expect(error.field).toBe('body');
  });

  it('stops a doubling string with a clear error', () => {
    const error = renderError(
      '{% assign s = "x" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
    );
    expect(error.code).toBe('memory_limit_exceeded');
    expect(error).toMatchObject({ line: 1, column: 43 });
  });

  it('stops a doubling array with a clear error', () => {
    const error = renderError(
      '{% assign a = "x,y" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}{{ a | size }}',
    );
    expect(error.code).toBe('memory_limit_exceeded');
  });

  it('stops nested loops that each stay under the memory limit by the render time limit', () => {
    const error = renderError(
      '{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}',
    );
    expect(error.code).toBe('time_limit_exceeded');
    expect(error.message).toMatch(/stopped after 200 ms/);
  });

  it('charges what a capture keeps to the memory limit, so doubling it stops', () => {
    // Before: 20 doublings built a 60-million-character string in milliseconds, charged nothing.
    const error = renderError(
      '{% capture s %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endcapture %}' +
        '{% for i in (1..20) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}',
    );
    expect(error.code).toBe('memory_limit_exceeded');
    expect(render('{% capture s %}Hi {{ record.name }}{% endcapture %}{{ s }}{{ s }}').text).toBe(
      'Hi Ada LovelaceHi Ada Lovelace\n',
    );
  });

  it('stops a body that writes out more than the output limit, before building its HTML part', () => {
    // A long literal printed in a loop: every `{{ }}` is free, so neither other limit is reached in time.
    const line = 'y'.repeat(50_000);
    const started = performance.now();
    const error = renderError(`{% assign s = "${line}" %}{% for i in (1..5000) %}{{ s }}{% endfor %}`);
    expect(error.code).toBe('memory_limit_exceeded');
    expect(error.message).toMatch(/more than 1000000 characters/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(render(`{{ "${'z'.repeat(900)}" }}`).text).toHaveLength(901);
  });

  it('counts the characters a body writes, not the marks on its merged values', () => {
    // Each run of a value is marked with two characters, which roughly doubles these 600,000.
    const spaced: MergeContext = { ...context, record: { ...context.record, name: 'a '.repeat(300_000) } };
    expect(render('{{ record.name }}', spaced).text).toHaveLength(600_000);
  });

  it('stops a huge padding in a subject', () => {
    const result = compileTemplate({
      subject: '{{ "x" | append: "y" | truncate: 99999999999 }}{% for i in (1..9999999) %}y{% endfor %}',
      body: 'x',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(() => renderEmail(result.compiled, context)).toThrow(TemplateRenderError);
  });
});
