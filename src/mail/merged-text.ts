// Marks the text that merge fields wrote into a rendered body, so that the HTML part can tell a link the
// seller wrote from a URL a prospect typed into a web form or a CSV column: only the first becomes a link
// (and a tracked redirect on our domain). The marks are two private-use characters; they are taken out of
// a value before it is marked, and out of every part of the message before render.ts returns it.

const MERGED_START = '\uE000';
const MERGED_END = '\uE001';
const MARKS = /[\uE000\uE001]/g;
const MARKS_AT = /[\uE000\uE001]/;

/**
 * Each run of non-space characters is marked on its own, so a mark never sits next to a space or a line
 * break of the value: the whitespace, line and paragraph rules see the text as it is sent.
 */
export function markMerged(value: string): string {
  return unmarkMerged(value).replace(/\S+/g, (run) => `${MERGED_START}${run}${MERGED_END}`);
}

export function unmarkMerged(text: string): string {
  return MARKS_AT.test(text) ? text.replace(MARKS, '') : text;
}

/** How many characters `text` has once unmarked. */
export function unmarkedLength(text: string): number {
  let marks = 0;
  for (const _ of text.matchAll(MARKS)) marks += 1;
  return text.length - marks;
}

/**
 * A line without its marks, and whether a merge field wrote each of its characters (`merged[i]`, by
 * UTF-16 index as a match on `text` counts; empty when nothing in the line was merged).
 */
export function readMarks(line: string): { text: string; merged: boolean[] } {
  if (!MARKS_AT.test(line)) return { text: line, merged: [] };
  const units: string[] = [];
  const merged: boolean[] = [];
  let inside = false;
  for (const unit of line.split('')) {
    if (unit === MERGED_START) inside = true;
    else if (unit === MERGED_END) inside = false;
    else {
      units.push(unit);
      merged.push(inside);
    }
  }
  return { text: units.join(''), merged };
}
