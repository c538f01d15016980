// A sequence's details as the "Edit details" form holds them (tags as one line of text) and the PUT body
// they become; and which of the server's problems belong to which field.
import type { ProblemDetail } from '../api/api-error.js';
import type { Sequence } from '../api/types.js';

export interface DetailsDraft {
  name: string;
  description: string;
  /** Tags as typed: separated by commas. */
  tags: string;
}

export interface DetailsPatch {
  name: string;
  description: string | null;
  tags: string[];
}

export const DETAIL_FIELDS = ['name', 'description', 'tags'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

export function detailsDraft(sequence: Pick<Sequence, 'name' | 'description' | 'tags'>): DetailsDraft {
  return {
    name: sequence.name,
    description: sequence.description ?? '',
    tags: (sequence.tags ?? []).join(', '),
  };
}

/**
 * Tags from the text: trimmed, empty ones dropped, and the same tag typed twice kept once (the server
 * compares tags without case, so "Renewal" and "renewal" are one tag: the first spelling wins).
 */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of text.split(',')) {
    const tag = part.trim();
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

export function detailsPatch(draft: DetailsDraft): DetailsPatch {
  const description = draft.description.trim();
  return {
    name: draft.name.trim(),
    description: description === '' ? null : description,
    tags: parseTags(draft.tags),
  };
}

/**
 * The server's problems with one field, as sentences: a tag's problem names the tag (`/tags/2` → "“x”: …").
 * `tags` is the list that was sent, to name the tag a path points to.
 */
export function fieldProblems(
  errors: readonly ProblemDetail[],
  field: DetailField,
  tags: string[],
): string[] {
  return errors
    .filter((e) => e.path === `/${field}` || e.path?.startsWith(`/${field}/`) === true)
    .map((e) => {
      const index = field === 'tags' ? Number(e.path?.split('/')[2]) : Number.NaN;
      const tag = Number.isInteger(index) ? tags[index] : undefined;
      return tag === undefined ? e.message : `“${tag}”: ${e.message}`;
    });
}

/** Problems that belong to none of the fields, for the top of the form. */
export function otherProblems(errors: readonly ProblemDetail[]): ProblemDetail[] {
  return errors.filter((e) => !DETAIL_FIELDS.some((f) => e.path === `/${f}` || e.path?.startsWith(`/${f}/`)));
}
