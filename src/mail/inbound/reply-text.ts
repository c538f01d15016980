// The new text of a reply, without the quoted history below it. Heuristic and cheap: it looks for
// the attribution lines that Gmail, Outlook, Apple Mail and Thunderbird write in four languages.

const SINGLE_LINE_ATTRIBUTION = [
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
];

/** "On … wrote:" and its translations; Gmail wraps it, so it is tested on two joined lines too. */
const WROTE = /^(?:On|Am|Le|El)\s.+(?:wrote|schrieb|a écrit|escribió)\s*:\s*$/i;

/** Outlook's header block: `From:` then, within a few lines, `Sent:` (and translations). */
const FROM_LINE = /^\*?(?:From|Von|De|Da)\s?:\*?\s/i;
const SENT_LINE = /^\*?(?:Sent|Gesendet|Envoyé|Enviado|Date|Datum)\s?:\*?\s/i;

function quoteStart(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    const next = (lines[index + 1] ?? '').trim();
    if (SINGLE_LINE_ATTRIBUTION.some((pattern) => pattern.test(line))) return index;
    if (WROTE.test(line) || WROTE.test(`${line} ${next}`)) return index;
    if (
      FROM_LINE.test(line) &&
      lines.slice(index + 1, index + 4).some((after) => SENT_LINE.test(after.trim()))
    ) {
      return index;
    }
    if (
      line.startsWith('>') &&
      lines.slice(index).every((rest) => rest.trim() === '' || rest.trim().startsWith('>'))
    ) {
      return index;
    }
  }
  return lines.length;
}

export function replyTextWithoutQuote(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return lines
    .slice(0, quoteStart(lines))
    .filter((line) => !line.startsWith('>'))
    .join('\n')
    .trim();
}
