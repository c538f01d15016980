// Which addresses a record may hold: what a mail server takes at RCPT TO, no more (api.md, README "invalid_email").
import { describe, expect, it } from 'vitest';
import { emailKey, isEmailAddress } from './email-address.js';

describe('isEmailAddress', () => {
  it.each([
    'ada@example.com',
    ' ada@example.com\n',
    'Ada.Lovelace@Example.COM',
    "o'brien+sales@mail.example.co.uk",
    "!#$%&'*+-/=?^_`{|}~@x.co",
    'a.b.c@x-y.example',
    'ölaf@bücher.example',
    'почта@пример.рф',
    '用户@例子.广告',
    'user@xn--bcher-kva.example',
    '1234@123.example',
    `${'a'.repeat(64)}@example.com`,
    `a@${'b'.repeat(63)}.com`,
  ])('takes %j', (address) => {
    expect(isEmailAddress(address)).toBe(true);
  });

  it.each([
    // Found by the audit: accepted, then refused by the mail server (RCPT 501).
    '<img/src=x/onerror=alert(1)>@x.co',
    '"<svg/onload=alert(1)>"@x.co',
    '"ada lovelace"@example.com',
    'not-an-email',
    'ada@localhost',
    'ada lovelace@example.com',
    'ada@',
    '@example.com',
    'ada@@example.com',
    'ada@b@example.com',
    '.ada@example.com',
    'ada.@example.com',
    'ada..lovelace@example.com',
    'ada@example..com',
    'ada@.example.com',
    'ada@example.com.',
    'ada@-example.com',
    'ada@example-.com',
    'ada@exa_mple.com',
    'ada@[192.0.2.1]',
    'ada(comment)@example.com',
    'ada,bob@example.com',
    'ada;@example.com',
    'ada\\@example.com',
    'ada\u0000@example.com',
    'ada\u00a0b@example.com',
    'ada\u200b@example.com',
    'ada\uff1c@example.com',
    'ada@exa mple.com',
    `${'a'.repeat(65)}@example.com`,
    `${'ö'.repeat(33)}@example.com`,
    `a@${'b'.repeat(64)}.com`,
    `a@${'b.'.repeat(128)}com`,
  ])('refuses %j', (address) => {
    expect(isEmailAddress(address)).toBe(false);
  });
});

describe('emailKey', () => {
  it('folds only ASCII letters', () => {
    expect(emailKey(' Ölaf.X@Example.COM ')).toBe('Ölaf.x@example.com');
  });
});
