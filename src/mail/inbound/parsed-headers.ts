// Reading header values out of a mailparser message as plain strings, whatever shape mailparser
// gave them (string, list, structured value).
import type { HeaderValue, ParsedMail, StructuredHeader } from 'mailparser';
import { emailKey } from '../../domain/email-address.js';

function isStructured(value: HeaderValue): value is StructuredHeader {
  return (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    'params' in value &&
    typeof value.value === 'string' &&
    typeof value.params === 'object'
  );
}

function textOf(value: HeaderValue): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item: HeaderValue) => textOf(item));
  return isStructured(value) ? [value.value] : [];
}

/** Every value of a header (lowercase name), decoded, in message order. */
export function headerValues(mail: ParsedMail, name: string): string[] {
  const value = mail.headers.get(name);
  return value === undefined ? [] : textOf(value);
}

export function firstHeader(mail: ParsedMail, name: string): string | undefined {
  return headerValues(mail, name)[0];
}

/** `Content-Type` value and parameters, lowercased where the RFCs make them case-insensitive. */
export function contentTypeOf(mail: ParsedMail): { type: string; reportType: string } {
  const value = mail.headers.get('content-type');
  if (value === undefined || !isStructured(value)) {
    return { type: typeof value === 'string' ? value.toLowerCase() : 'text/plain', reportType: '' };
  }
  return { type: value.value.toLowerCase(), reportType: (value.params['report-type'] ?? '').toLowerCase() };
}

const MESSAGE_ID = /<[^<>\s]+>/g;

/** Message-IDs (angle brackets kept) listed in a header value or values. */
export function messageIdsIn(values: string | readonly string[] | undefined): string[] {
  const list = typeof values === 'string' ? [values] : (values ?? []);
  return list.flatMap((value) => value.match(MESSAGE_ID) ?? []);
}

/** The first `From` address, its ASCII letters lowercased (emailKey: how addresses are looked up). */
export function senderOf(mail: ParsedMail): { address?: string; name?: string } {
  const first = mail.from?.value[0];
  const address = first?.address === undefined ? undefined : emailKey(first.address);
  const name = first?.name?.trim();
  return {
    ...(address ? { address } : {}),
    ...(name ? { name } : {}),
  };
}
