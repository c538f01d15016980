// The built-in sequence template gallery (api.md "Sequence templates"), in the order Dynamics lists them.
// Every template is frozen: copy its definition before editing it (replaceTemplateIds returns a copy).
import { accountRenewal } from './account-renewal.js';
import { followUpNoShow } from './follow-up-no-show.js';
import { highVolumeOutbound } from './high-volume-outbound.js';
import { inviteToEvent } from './invite-to-event.js';
import { productDemoMeeting } from './product-demo-meeting.js';
import { frozen, type SequenceTemplate } from './sequence-template.js';
import { webinarFollowUp } from './webinar-follow-up.js';

export {
  type BuiltInEmailTemplate,
  builtInTemplateRef,
  listBuiltInTemplateRefs,
  parseBuiltInTemplateRef,
  replaceTemplateIds,
  type SequenceTemplate,
} from './sequence-template.js';

export const SEQUENCE_TEMPLATES: readonly SequenceTemplate[] = frozen([
  followUpNoShow,
  highVolumeOutbound,
  inviteToEvent,
  productDemoMeeting,
  accountRenewal,
  webinarFollowUp,
]);

export function findSequenceTemplate(key: string): SequenceTemplate | undefined {
  return SEQUENCE_TEMPLATES.find((t) => t.key === key);
}
