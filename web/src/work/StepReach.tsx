// How to reach the record for the step at hand, on a work card, in Up next and in the step's dialog: a
// call shows the phone number as a `tel:` link, a LinkedIn step a link to the profile (a new tab), and
// either says so when the record has none. Other steps show nothing.
import type { Step } from '@domain/definition.js';
import type { WorkItem } from '../api/types.js';
import { Icon } from '../ui/Icon.js';
import { isLinkedInStep, telHref, webProfileUrl } from './record-reach.js';

export type ReachableRecord = Pick<WorkItem['record'], 'phone' | 'linkedinUrl'>;

export function StepReach({ type, record }: { type: Step['type']; record: ReachableRecord }) {
  if (type === 'phone_call') return <PhoneNumber phone={record.phone ?? null} />;
  if (isLinkedInStep(type)) return <LinkedInProfile url={record.linkedinUrl ?? null} />;
  return null;
}

function PhoneNumber({ phone }: { phone: string | null }) {
  const href = telHref(phone);
  if (phone === null || phone.trim() === '')
    return <p className="step-reach muted">This record has no phone number.</p>;
  return (
    <p className="step-reach">
      <Icon name="phone" size={16} /> Phone: {href === null ? phone : <a href={href}>{phone}</a>}
    </p>
  );
}

function LinkedInProfile({ url }: { url: string | null }) {
  const href = webProfileUrl(url);
  if (url === null || url.trim() === '')
    return <p className="step-reach muted">This record has no LinkedIn profile.</p>;
  if (href === null)
    return (
      <p className="step-reach muted">
        The record’s LinkedIn profile is not a web address (http or https); correct it on the record.
      </p>
    );
  return (
    <p className="step-reach">
      <Icon name="linkedin" size={16} />{' '}
      <a href={href} target="_blank" rel="noopener noreferrer">
        Open LinkedIn profile<span className="visually-hidden"> (opens in a new tab)</span>
      </a>
    </p>
  );
}
