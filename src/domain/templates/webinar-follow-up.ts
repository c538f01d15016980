// "Webinar follow up" (lead): thank attendees automatically, follow up by email, call, and send a final
// email; whoever responds gets a confirmation, is qualified and booked for a demo; silence disqualifies.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { COMPANY, FIRST_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'webinar-follow-up';

const WEBINAR = '{{ record.fields.webinar_name | default: "our webinar" }}';

const thankYou: BuiltInEmailTemplate = {
  key: 'thank-you',
  name: 'Webinar: thank you for attending',
  subject: `Thank you for joining ${WEBINAR}`,
  body: `Hi ${FIRST_NAME},

Thank you for attending ${WEBINAR}. I hope you found it useful.{% if record.fields.recording_url %} If you'd like to revisit a section or share it with colleagues, the recording is here: {{ record.fields.recording_url }}{% endif %}

Webinars rarely leave time for everyone's questions, so I'd be glad to set up a 30-minute call to answer yours and talk about what the ideas from the session could mean for ${COMPANY}.

Would you like to schedule a time? Just reply with a couple of options that suit you.

${SIGNATURE}`,
};

const followUp: BuiltInEmailTemplate = {
  key: 'follow-up',
  name: 'Webinar: follow-up',
  subject: `Any questions after ${WEBINAR}?`,
  body: `Hi ${FIRST_NAME},

I wanted to follow up on ${WEBINAR}. After a session like this, people usually want to know how it applies to their own situation, which is hard to cover in a webinar.

If that's the case for ${COMPANY}, I can walk you through it in a short call, with a demo of the parts most relevant to you. Reply with a time that works and I'll send an invitation.

${SIGNATURE}`,
};

const finalFollowUp: BuiltInEmailTemplate = {
  key: 'final-follow-up',
  name: 'Webinar: final follow-up',
  subject: 'Should I close the loop?',
  body: `Hi ${FIRST_NAME},

I've reached out a couple of times since ${WEBINAR} and we haven't managed to connect, so this is my last note for now.

If exploring this is still on your list, reply with a time that works and I'll set up a 30-minute call with a demo tailored to ${COMPANY}. If the timing isn't right, that's no problem at all: a quick "not now" helps, and I won't keep filling your inbox.

${SIGNATURE}`,
};

const confirmation: BuiltInEmailTemplate = {
  key: 'confirmation',
  name: 'Webinar: confirmation after a reply',
  subject: `Next steps after ${WEBINAR}`,
  body: `Hi ${FIRST_NAME},

Thank you for getting back to me. I'm glad the session was useful.

I'll send a calendar invitation shortly for a 30-minute call. Here is what I suggest we cover:

- your goals and how you work today,
- a demo of the parts of the webinar most relevant to ${COMPANY},
- your questions, and what next steps could look like.

If there's anything you'd like me to prepare, or a colleague who should join, just reply to this email.

${SIGNATURE}`,
};

const confirmationAfterCall: BuiltInEmailTemplate = {
  key: 'confirmation-after-call',
  name: 'Webinar: confirmation after a call',
  subject: 'Great speaking with you: next steps',
  body: `Hi ${FIRST_NAME},

Thank you for taking my call. As agreed, I'll send a calendar invitation shortly for a demo tailored to what you told me about ${COMPANY}.

If anything else comes to mind before then, or a colleague should join, just reply to this email.

${SIGNATURE}`,
};

const confirmationFinal: BuiltInEmailTemplate = {
  key: 'confirmation-final',
  name: 'Webinar: confirmation after the final follow-up',
  subject: "Glad to hear from you: let's set up a time",
  body: `Hi ${FIRST_NAME},

Thank you for getting back to me. I'm glad this is still on your radar.

I'll send a calendar invitation shortly for a 30-minute call with a demo tailored to ${COMPANY}. If the time doesn't suit you, propose another and I'll move it.

${SIGNATURE}`,
};

export const webinarFollowUp: SequenceTemplate = {
  key: KEY,
  name: 'Webinar follow up',
  entityType: 'lead',
  description:
    'Set up meetings with people who attended a webinar or event: an automated thank-you, a follow-up email, a call and a final email over a week; whoever responds gets a confirmation, is qualified and booked for a demo, and leads who never respond are disqualified.',
  emailTemplates: [thankYou, followUp, finalFollowUp, confirmation, confirmationAfterCall, confirmationFinal],
  definition: {
    start: 'auto_thanks',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'auto_thanks',
        type: 'automated_email',
        name: 'Automated thank-you for attending',
        description:
          'Sent automatically: thanks the lead for attending, links the recording when recording_url is set, and asks for a meeting. Set webinar_name on the leads you connect so the email names the session.',
        templateId: builtInTemplateRef(KEY, thankYou.key),
        next: 'cond_reply_thanks',
      },
      {
        id: 'cond_reply_thanks',
        type: 'condition',
        name: 'Replied to the thank-you?',
        description: 'Waits up to two days for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'auto_thanks' },
        within: 'P2D',
        moveOnSignal: true,
        yes: 'confirm_reply',
        no: 'email_followup',
      },
      {
        id: 'email_followup',
        type: 'email',
        name: 'Email a follow-up',
        description:
          'No reply to the thank-you. Send the follow-up, and add one line about a question asked during the webinar that relates to their company or role.',
        templateId: builtInTemplateRef(KEY, followUp.key),
        next: 'cond_reply_followup',
      },
      {
        id: 'cond_reply_followup',
        type: 'condition',
        name: 'Replied to the follow-up?',
        description: 'Waits up to one day for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email_followup' },
        within: 'P1D',
        moveOnSignal: true,
        yes: 'confirm_reply',
        no: 'call_next_steps',
      },
      {
        id: 'confirm_reply',
        type: 'email',
        name: 'Email a confirmation',
        description:
          'They replied. Read the reply first: if they want to talk, send this confirmation (adjust it to the times they proposed). If they are not interested, skip the remaining steps by disconnecting the lead.',
        templateId: builtInTemplateRef(KEY, confirmation.key),
        next: 'qualify',
      },
      {
        id: 'call_next_steps',
        type: 'phone_call',
        name: 'Call about next steps',
        description:
          'No reply to two emails. Call to follow up on the webinar: ask what they took away from it and what prompted them to attend, answer their questions, and propose a 30-minute demo. Log "answered" only if you spoke with the lead.',
        next: 'cond_answer_call',
      },
      {
        id: 'cond_answer_call',
        type: 'condition',
        name: 'Answered the call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call_next_steps', outcome: ['answered'] },
        yes: 'confirm_call',
        no: 'wait_2d',
      },
      {
        id: 'confirm_call',
        type: 'email',
        name: 'Email a confirmation after the call',
        description:
          'Confirm what you agreed on the phone. If they were not interested, skip the remaining steps by disconnecting the lead.',
        templateId: builtInTemplateRef(KEY, confirmationAfterCall.key),
        next: 'qualify',
      },
      {
        id: 'wait_2d',
        type: 'wait',
        name: 'Wait two days',
        description: 'Two days before the final follow-up email.',
        duration: 'P2D',
        next: 'email_final',
      },
      {
        id: 'email_final',
        type: 'email',
        name: 'Email a final follow-up for a meeting',
        description:
          'Last attempt: a short, polite note that makes it easy to say yes or "not now". Send it as it is; it works best short.',
        templateId: builtInTemplateRef(KEY, finalFollowUp.key),
        next: 'cond_reply_final',
      },
      {
        id: 'cond_reply_final',
        type: 'condition',
        name: 'Replied to the final follow-up?',
        description: 'Waits up to two days for a reply and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email_final' },
        within: 'P2D',
        moveOnSignal: true,
        yes: 'confirm_final',
        no: 'disqualify',
      },
      {
        id: 'confirm_final',
        type: 'email',
        name: 'Email a confirmation after the final follow-up',
        description:
          'They replied to your last email. If they want to talk, send this confirmation; if they said "not now", note when to check back and disconnect the lead.',
        templateId: builtInTemplateRef(KEY, confirmationFinal.key),
        next: 'qualify',
      },
      {
        id: 'qualify',
        type: 'update_field',
        name: 'Qualify the lead',
        description:
          'Sets the lead status to qualified: they attended the webinar and agreed to a conversation.',
        field: 'status',
        value: 'qualified',
        next: 'task_demo',
      },
      {
        id: 'task_demo',
        type: 'task',
        name: 'Set up a meeting to demo the product',
        description:
          'Send the calendar invitation (30 minutes, video link) for the time you agreed, invite any colleagues they named, and prepare a demo around the topics of the webinar that matter to them. Note their questions from the webinar and your conversation on the lead.',
      },
      {
        id: 'disqualify',
        type: 'update_field',
        name: 'Disqualify the lead',
        description: 'No response to three emails and a call: sets the lead status to disqualified.',
        field: 'status',
        value: 'disqualified',
      },
    ],
  },
};
