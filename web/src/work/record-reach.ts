// How a seller reaches a record from a step: a `tel:` link for its phone number, and its LinkedIn profile
// only when that is an http(s) address (a stored `javascript:` or other scheme is never made a link).
import type { Step } from '@domain/definition.js';

const LINKEDIN_STEP_TYPES: readonly Step['type'][] = [
  'linkedin_research',
  'linkedin_get_introduced',
  'linkedin_connect',
  'linkedin_inmail',
];

export function isLinkedInStep(type: Step['type']): boolean {
  return LINKEDIN_STEP_TYPES.includes(type);
}

/** The `tel:` address of a phone number as people write it (spaces, dots, brackets), or null without digits. */
export function telHref(phone: string | null | undefined): string | null {
  if (phone === null || phone === undefined) return null;
  const dialable = phone.trim().replace(/[^0-9+*#,;]/g, '');
  return /[0-9]/.test(dialable) ? `tel:${dialable}` : null;
}

/** The profile address when it is a web address (http or https), else null. */
export function webProfileUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
}
