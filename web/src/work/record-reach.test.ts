import { describe, expect, it } from 'vitest';
import { isLinkedInStep, telHref, webProfileUrl } from './record-reach.js';

describe('telHref', () => {
  it('keeps the digits and the leading plus of a written number', () => {
    expect(telHref('+44 (20) 7946-0000')).toBe('tel:+442079460000');
    expect(telHref('555.0100')).toBe('tel:5550100');
  });
  it('has no link for a missing number or one without digits', () => {
    expect(telHref(null)).toBeNull();
    expect(telHref(undefined)).toBeNull();
    expect(telHref('  ')).toBeNull();
    expect(telHref('ask reception')).toBeNull();
  });
});

describe('webProfileUrl', () => {
  it('links http and https addresses only', () => {
    expect(webProfileUrl('https://www.linkedin.com/in/ada')).toBe('https://www.linkedin.com/in/ada');
    expect(webProfileUrl(' http://linkedin.com/in/ada ')).toBe('http://linkedin.com/in/ada');
    expect(webProfileUrl('javascript:alert(1)')).toBeNull();
    expect(webProfileUrl('JavaScript:alert(1)')).toBeNull();
    expect(webProfileUrl('data:text/html,hi')).toBeNull();
    expect(webProfileUrl('linkedin.com/in/ada')).toBeNull();
    expect(webProfileUrl(null)).toBeNull();
  });
});

describe('isLinkedInStep', () => {
  it('names the four LinkedIn activities', () => {
    expect(
      ['linkedin_research', 'linkedin_get_introduced', 'linkedin_connect', 'linkedin_inmail'].every((t) =>
        isLinkedInStep(t as Parameters<typeof isLinkedInStep>[0]),
      ),
    ).toBe(true);
    expect(isLinkedInStep('phone_call')).toBe(false);
    expect(isLinkedInStep('task')).toBe(false);
  });
});
