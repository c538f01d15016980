// Merge-field snippets the built-in emails share, so every template greets and signs the same way.

/** A lead's or contact's first name: the first word of the record's name. */
export const FIRST_NAME = '{{ record.name | split: " " | first | default: "there" }}';

/** Accounts and opportunities are named after the business, so the person comes from a field. */
export const CONTACT_NAME = '{{ record.fields.contact_name | default: "there" }}';

export const COMPANY = '{{ record.company | default: "your team" }}';

/** "at Contoso", or "in your organisation" when the record has no company. */
export const AT_COMPANY =
  '{% if record.company %}at {{ record.company }}{% else %}in your organisation{% endif %}';

export const SIGNATURE = `Best regards,
{{ sender.name }}
{{ sender.email }}`;
