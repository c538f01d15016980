// The merge fields the template editor offers, and a sample record for the live preview.
export interface MergeField {
  label: string;
  snippet: string;
}

export const MERGE_FIELDS: MergeField[] = [
  { label: 'Record name', snippet: '{{ record.name }}' },
  { label: 'First name', snippet: '{{ record.name | split: " " | first | default: "there" }}' },
  { label: 'Company', snippet: '{{ record.company | default: "your team" }}' },
  { label: 'Email', snippet: '{{ record.email }}' },
  { label: 'Phone', snippet: '{{ record.phone }}' },
  { label: 'Custom field (title)', snippet: '{{ record.fields.title | default: "there" }}' },
  { label: 'Sender name', snippet: '{{ sender.name }}' },
  { label: 'Sender email', snippet: '{{ sender.email }}' },
];

export const SAMPLE_CONTEXT = {
  record: {
    name: 'Nancy Anderson',
    email: 'nancy@contoso.example',
    phone: '+1 555 0100',
    company: 'Contoso',
    fields: { title: 'Head of Sales', business_goal: 'shorten their sales cycle' },
  },
  sender: { name: 'Alex Seller', email: 'alex@stepwise.example' },
};

/** Puts `snippet` where the cursor is (replacing a selection) and says where the cursor goes next. */
export function insertAt(
  text: string,
  start: number,
  end: number,
  snippet: string,
): { text: string; cursor: number } {
  return { text: `${text.slice(0, start)}${snippet}${text.slice(end)}`, cursor: start + snippet.length };
}
