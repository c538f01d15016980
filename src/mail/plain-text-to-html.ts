// Turns the plain-text body of a rendered template into the HTML part of the message: paragraphs,
// line breaks and autolinked URLs. Everything is escaped here, so neither the template nor a record
// value can inject markup. Only a URL the template itself wrote becomes a link: one that starts in a
// merged value (marked by render.ts, merged-text.ts) stays text, or a prospect could put their own link
// in mail sent from the company (and, with tracking, a signed redirect on its domain).
import { readMarks } from './merged-text.js';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence more often than it ends a URL ("see https://x.example/a."). */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The template wrote the URL's scheme and host: `https://example.com/offer?id={{ record.id }}` is a
 * link, but neither `{{ record.website }}` nor `https://example.com{{ record.path }}` (a path of
 * `@evil.example/` makes evil.example the host).
 */
function writtenByTemplate(url: string, start: number, merged: readonly boolean[]): boolean {
  if (merged.length === 0) return true;
  const afterScheme = url.indexOf('//') + 2;
  const hostEnd = url.slice(afterScheme).search(/[/?#]/);
  const end = start + (hostEnd === -1 ? url.length : afterScheme + hostEnd);
  for (let index = start; index < end; index += 1) if (merged[index] === true) return false;
  return true;
}

function linkifyLine(line: string): string {
  const { text, merged } = readMarks(line);
  let html = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    // A merged URL is left in the text, which is escaped with the rest.
    if (!writtenByTemplate(url, start, merged)) continue;
    html += escapeHtml(text.slice(last, start));
    html += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return html + escapeHtml(text.slice(last));
}

/**
 * Blank lines separate paragraphs; single newlines become `<br>`. `text` may carry merge marks
 * (merged-text.ts), which are not in the result.
 */
export function plainTextToHtmlBody(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => paragraph.replace(/^\n+|\n+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${paragraph.split('\n').map(linkifyLine).join('<br>\n')}</p>`)
    .join('\n');
}

export function htmlDocument(bodyHtml: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n${bodyHtml}\n</body></html>\n`;
}
