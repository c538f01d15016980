// "Invite to an upcoming event" (contact): a personal invitation, a follow-up, then a call; whoever says yes
// gets a confirmation with the event details, and whoever never answers is marked for future events.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { COMPANY, FIRST_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'invite-to-event';

const EVENT = '{{ record.fields.event_name | default: "our upcoming event" }}';

/** The practical details, shared by both confirmations. */
const EVENT_DETAILS = `Event: ${EVENT}
When: {{ record.fields.event_date | default: "see the calendar invitation I'm sending separately" }}
Where: {{ record.fields.event_location | default: "details in the calendar invitation" }}{% if record.fields.event_url %}
Registration and agenda: {{ record.fields.event_url }}{% endif %}`;

const invitation: BuiltInEmailTemplate = {
  key: 'invitation',
  name: 'Event: personal invitation',
  subject: `An invitation for you: ${EVENT}`,
  body: `Hi ${FIRST_NAME},

I'd like to personally invite you to ${EVENT}{% if record.fields.event_date %} on {{ record.fields.event_date }}{% endif %}{% if record.fields.event_location %} ({{ record.fields.event_location }}){% endif %}.

I thought of you because the sessions cover {{ record.fields.event_topic | default: "the questions we hear most often from teams like yours" }}, and there will be plenty of time to talk with our specialists and with peers who face the same challenges as ${COMPANY}.

Would you like me to save you a seat? Just reply to this email and I'll take care of the registration{% if record.fields.event_url %}, or register directly here: {{ record.fields.event_url }}{% else %}.{% endif %}

${SIGNATURE}`,
};

const invitationFollowUp: BuiltInEmailTemplate = {
  key: 'invitation-follow-up',
  name: 'Event: invitation follow-up',
  subject: `Will you join us at ${EVENT}?`,
  body: `Hi ${FIRST_NAME},

I wanted to make sure my invitation to ${EVENT} didn't get lost in your inbox.

It would be great to see you there. If you're interested, just reply "yes" and I'll handle the registration and send you the details. If you can't make it, no problem: let me know and I'll share the highlights afterwards.

${SIGNATURE}`,
};

const confirmation: BuiltInEmailTemplate = {
  key: 'confirmation',
  name: 'Event: confirmation after a reply',
  subject: `You're confirmed for ${EVENT}`,
  body: `Hi ${FIRST_NAME},

Thank you for getting back to me. I'm glad you can join us, and I've registered you. Here are the details:

${EVENT_DETAILS}

I'll send a calendar invitation so it's in your diary. If a colleague from ${COMPANY} would like to come along, reply with their name and email address and I'll register them too.

Is there a topic you'd especially like to hear about? Let me know and I'll make sure you meet the right people on the day.

${SIGNATURE}`,
};

const confirmationAfterCall: BuiltInEmailTemplate = {
  key: 'confirmation-after-call',
  name: 'Event: confirmation after a call',
  subject: `Great speaking with you: your place at ${EVENT}`,
  body: `Hi ${FIRST_NAME},

Thank you for taking my call. As promised, I've registered you, and here are the details:

${EVENT_DETAILS}

I'll send a calendar invitation as well. If anything changes, or a colleague would like to join you, just reply to this email.

Looking forward to seeing you there.

${SIGNATURE}`,
};

export const inviteToEvent: SequenceTemplate = {
  key: KEY,
  name: 'Invite to an upcoming event',
  entityType: 'contact',
  description:
    'Build relationships and drive attendance to a webinar or conference: a personal invitation, a follow-up and a call, a confirmation with the event details for everyone who says yes, and a flag for future events for those who never answer.',
  emailTemplates: [invitation, invitationFollowUp, confirmation, confirmationAfterCall],
  definition: {
    start: 'email_invite',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'email_invite',
        type: 'email',
        name: 'Email a personal invitation',
        description:
          'Send the invitation with one personal line on why this event matters to them: a session, speaker or topic tied to what you know of their priorities. Check the event name, date and link before sending (they come from the event_* fields of the contact when set).',
        templateId: builtInTemplateRef(KEY, invitation.key),
        next: 'cond_reply_invite',
      },
      {
        id: 'cond_reply_invite',
        type: 'condition',
        name: 'Replied to the invitation?',
        description: 'Waits up to three days for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email_invite' },
        within: 'P3D',
        moveOnSignal: true,
        yes: 'confirm_reply',
        no: 'email_followup',
      },
      {
        id: 'email_followup',
        type: 'email',
        name: 'Email a follow-up to the invitation',
        description:
          'No reply after three days. Send the short follow-up; if you know of a session or speaker they would value, mention it in one sentence.',
        templateId: builtInTemplateRef(KEY, invitationFollowUp.key),
        next: 'cond_reply_followup',
      },
      {
        id: 'cond_reply_followup',
        type: 'condition',
        name: 'Replied to the follow-up?',
        description: 'Waits up to two days for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email_followup' },
        within: 'P2D',
        moveOnSignal: true,
        yes: 'confirm_reply',
        no: 'call_invite',
      },
      {
        id: 'confirm_reply',
        type: 'email',
        name: 'Email the event confirmation',
        description:
          'They replied to your invitation. Read the reply first: if they accepted, register them and send this confirmation with the event details; if they declined, skip this email and note on the contact whether they want to hear about future events.',
        templateId: builtInTemplateRef(KEY, confirmation.key),
      },
      {
        id: 'call_invite',
        type: 'phone_call',
        name: 'Call to invite them',
        description:
          'No reply to two emails. Call to invite them personally: mention your emails, pitch the event in one sentence and why it is relevant to them, and ask whether they can attend. If yes, confirm the email address for the invitation. If not, ask which topics would interest them in future events. Log "answered" only if you spoke with the contact.',
        next: 'cond_answer_invite',
      },
      {
        id: 'cond_answer_invite',
        type: 'condition',
        name: 'Answered the call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call_invite', outcome: ['answered'] },
        yes: 'confirm_call',
        no: 'mark_future',
      },
      {
        id: 'confirm_call',
        type: 'email',
        name: 'Email the confirmation after the call',
        description:
          'Register them and send the confirmation with the event details you discussed. If they declined on the call, skip this email and note the topics they said would interest them.',
        templateId: builtInTemplateRef(KEY, confirmationAfterCall.key),
      },
      {
        id: 'mark_future',
        type: 'update_field',
        name: 'Mark for future events',
        description:
          'No reply and no answer: sets invite_to_future_events on the contact so they are included in the next event campaign.',
        field: 'invite_to_future_events',
        value: true,
      },
    ],
  },
};
