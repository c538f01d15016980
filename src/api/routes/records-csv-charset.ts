// The text of a CSV upload from its bytes: a byte order mark (UTF-8, UTF-16) says the encoding, else the
// Content-Type's `charset` (any label TextDecoder knows: utf-8, iso-8859-1/latin1, windows-1252, utf-16…),
// else UTF-8. UTF-8 and UTF-16 are decoded strictly: bytes that are not text are a 400 that names where,
// never replacement characters stored in place of a customer's name.
import { TextDecoder } from 'node:util';
import { badRequest } from '../problem.js';

/** The `charset` parameter of a Content-Type header, or null. */
function declaredCharset(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1] ?? null;
}

/** The encoding a byte order mark names (WHATWG "BOM sniff": it wins over a declared charset). */
function byteOrderMark(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1] ?? 0;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] ?? 0;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

const DECLARE =
  'Save the file as UTF-8, or declare its encoding in the Content-Type header, e.g. "text/csv; charset=windows-1252".';

function invalidText(bytes: Uint8Array, encoding: string): Error {
  if (encoding !== 'utf-8')
    return badRequest(`The CSV is not valid ${encoding}.`, [
      { code: 'invalid_encoding', message: `The body is not valid ${encoding} text. ${DECLARE}` },
    ]);
  const offset = Math.max(firstInvalidUtf8(bytes), 0);
  const line = lineAt(bytes, offset);
  const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return badRequest('The CSV is not valid UTF-8.', [
    {
      code: 'invalid_encoding',
      message: `Byte 0x${byte} at offset ${offset} (line ${line}) is not UTF-8. ${DECLARE}`,
      line,
      offset,
    },
  ]);
}

/**
 * What windows-1252 has at 0x80-0x9F (WHATWG's table: the five bytes it leaves undefined stay C1 controls).
 * Node 20's TextDecoder decodes windows-1252 (and so latin1 and iso-8859-1, its labels) as ISO-8859-1
 * there, which turns the euro sign and curly quotes of a Windows export into invisible controls.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c);
}

/** The CSV's text; 400 `unsupported_charset` for a charset no decoder knows, `invalid_encoding` for bytes that are not text. */
export function decodeCsv(bytes: Uint8Array, contentType: string | undefined): string {
  const declared = declaredCharset(contentType);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(byteOrderMark(bytes) ?? declared ?? 'utf-8', { fatal: true });
  } catch {
    throw badRequest(`The charset "${declared}" is not one this server reads.`, [
      {
        code: 'unsupported_charset',
        message: `Unknown charset "${declared}"; use utf-8, utf-16, iso-8859-1 or windows-1252, for example.`,
      },
    ]);
  }
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(bytes);
  try {
    return decoder.decode(bytes);
  } catch {
    throw invalidText(bytes, decoder.encoding);
  }
}
