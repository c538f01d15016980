// "Follow up when contacts don't show up" (contact): rebook a missed meeting by email and phone, hold a
// placeholder slot after two days, and turn to other people at the company when nobody answers.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { AT_COMPANY, COMPANY, FIRST_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'follow-up-no-show';

const missedMeeting: BuiltInEmailTemplate = {
  key: 'missed-meeting',
  name: 'Missed meeting: find a new time',
  subject: 'Finding a new time for our meeting',
  body: `Hi ${FIRST_NAME},

It looks like we missed each other for our meeting{% if record.fields.meeting_topic %} about {{ record.fields.meeting_topic }}{% endif %}. No problem at all: I know how quickly plans change.

I'd still like to take you through what I had prepared for ${COMPANY}. It takes about 30 minutes, and I'll keep it focused on your priorities and questions.

Could you reply with two or three times that suit you over the next week? I'll send a new invitation straight away. If it's easier, I'm also happy to find a time over the phone.

${SIGNATURE}`,
};

const placeholderMeeting: BuiltInEmailTemplate = {
  key: 'placeholder-meeting',
  name: 'Missed meeting: placeholder invitation',
  subject: 'I have held a time for us',
  body: `Hi ${FIRST_NAME},

I've tried to reach you by email and by phone since our missed meeting, so I've sent you a calendar invitation for a 30-minute placeholder{% if record.fields.placeholder_slot %} on {{ record.fields.placeholder_slot }}{% endif %}.

If the time works, just accept it and I'll come prepared. If it doesn't, reply with a time that suits you better and I'll move it. And if this is no longer a priority, decline the invitation and I won't keep chasing you.

If someone else ${AT_COMPANY} is better placed to look at this, I'd be grateful for an introduction.

${SIGNATURE}`,
};

export const followUpNoShow: SequenceTemplate = {
  key: KEY,
  name: "Follow up when contacts don't show up",
  entityType: 'contact',
  description:
    "Follow up with contacts who missed a meeting: an email to rebook, a call if they don't reply, a placeholder invitation two days later, then reach out to other people at the company.",
  emailTemplates: [missedMeeting, placeholderMeeting],
  definition: {
    start: 'email1',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'email1',
        type: 'email',
        name: 'Email about the missed meeting',
        description:
          'Send the missed-meeting email the same day. Add the meeting topic in the first line if it is not on the record, and keep the tone warm: no guilt, just an easy way to rebook. Propose two or three concrete times if you know their calendar.',
        templateId: builtInTemplateRef(KEY, missedMeeting.key),
        next: 'cond_reply1',
      },
      {
        id: 'cond_reply1',
        type: 'condition',
        name: 'Replied to the missed-meeting email?',
        description: 'Waits up to one day for a reply to the email and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email1' },
        within: 'P1D',
        moveOnSignal: true,
        yes: 'call_reply1',
        no: 'call1',
      },
      {
        id: 'call_reply1',
        type: 'phone_call',
        name: 'Call to rebook and share the meeting details',
        description:
          'The contact replied to your email. Call while it is fresh: thank them for getting back to you, recap in two sentences what the missed meeting was going to cover, ask whether anyone else should join, and agree the new time. Send the invitation while you are still on the phone.',
      },
      {
        id: 'call1',
        type: 'phone_call',
        name: 'Call about the missed meeting',
        description:
          'No reply to your email. Call to reconnect: mention the missed meeting without blame, share what you had prepared and why it matters to them, and ask for a new time. If you get voicemail, leave a 20-second message with your number and say you\'ll email a time. Log the outcome: "answered" only if you spoke with the contact.',
        next: 'cond_answer1',
      },
      {
        id: 'cond_answer1',
        type: 'condition',
        name: 'Answered the call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call1', outcome: ['answered'] },
        yes: 'task_recap',
        no: 'wait_2d',
      },
      {
        id: 'task_recap',
        type: 'task',
        name: 'Send the recap and the new invitation',
        description:
          'You spoke with the contact. Within the hour, send the calendar invitation for the new meeting with a short recap of what you discussed and what the meeting will cover. Add anyone they asked to include, and note their questions on the record so you come prepared.',
      },
      {
        id: 'wait_2d',
        type: 'wait',
        name: 'Wait two days',
        description: 'Gives the contact two days to call you back before the placeholder invitation.',
        duration: 'P2D',
        next: 'email2',
      },
      {
        id: 'email2',
        type: 'email',
        name: 'Email a placeholder meeting',
        description:
          'Pick a 30-minute slot two or three working days out, send the contact a calendar invitation for it, then send this email. Fill in the slot on the record (placeholder_slot) or in the text before sending.',
        templateId: builtInTemplateRef(KEY, placeholderMeeting.key),
        next: 'cond_reply2',
      },
      {
        id: 'cond_reply2',
        type: 'condition',
        name: 'Replied to the placeholder email?',
        description: 'Waits up to two days for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email2' },
        within: 'P2D',
        moveOnSignal: true,
        yes: 'call_reply2',
        no: 'task_other_contacts',
      },
      {
        id: 'call_reply2',
        type: 'phone_call',
        name: 'Call to confirm the placeholder meeting',
        description:
          'The contact replied to the placeholder email. Call to confirm the time (or move it to one that works), share the details of the missed meeting, and ask what they want to get out of it. Update the calendar invitation right after the call.',
      },
      {
        id: 'task_other_contacts',
        type: 'task',
        name: 'Reach out to other contacts at the company',
        description:
          "No answer to two emails and a call. Find two or three other people at the company who share the need: the missed meeting's other invitees, the contact's manager or teammates (check the CRM and LinkedIn). Reach out referencing the original topic, and connect them to a sequence of their own. Cancel the placeholder invitation if it was not accepted.",
      },
    ],
  },
};
