// "Meeting for product demo requests" (opportunity): thank the requester, research and connect on LinkedIn,
// ask for a demo slot a day later, then call twice; every "yes" books the demo, silence disqualifies.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { COMPANY, CONTACT_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'product-demo-meeting';

const PRODUCT = '{{ record.fields.product | default: "our product" }}';

const thankYou: BuiltInEmailTemplate = {
  key: 'thank-you',
  name: 'Demo request: thank you',
  subject: `Thanks for your interest in ${PRODUCT}`,
  body: `Hi ${CONTACT_NAME},

Thank you for requesting a demo of ${PRODUCT}. I'm {{ sender.name }}, and I'll be your point of contact from here on.

I'd like the demo to be about ${COMPANY}, not a generic tour. To tailor it, it would help to know:

- what prompted you to look at this now,
- who else should join the session,
- which tools or processes it would need to work with.

A line or two on any of these is plenty. I'll be in touch tomorrow with a few times for the demo.

${SIGNATURE}`,
};

const demoTimes: BuiltInEmailTemplate = {
  key: 'demo-times',
  name: 'Demo request: pick a time',
  subject: 'Picking a time for your {{ record.fields.product | default: "product" }} demo',
  body: `Hi ${CONTACT_NAME},

As promised, let's find a time for your demo. I suggest 45 minutes:

- 10 minutes on your goals and how you work today,
- 25 minutes of live demo focused on what matters to ${COMPANY},
- 10 minutes for questions and next steps.

Could you reply with two or three times over the next week that work for you and anyone you'd like to bring along? I'll send the invitation with a video link straight away.

${SIGNATURE}`,
};

export const productDemoMeeting: SequenceTemplate = {
  key: KEY,
  name: 'Meeting for product demo requests',
  entityType: 'opportunity',
  description:
    'Get a meeting with people who requested a product demo: a thank-you email, LinkedIn research and connection, a request for a demo slot, then up to two calls; any "yes" books the demo, and no answer disqualifies the opportunity.',
  emailTemplates: [thankYou, demoTimes],
  definition: {
    start: 'email_thanks',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'email_thanks',
        type: 'email',
        name: 'Email: thank them for their interest',
        description:
          'Send within a few hours of the request. Mention what they asked about in the demo request form, and keep it short: the goal is a reply that tells you how to tailor the demo.',
        templateId: builtInTemplateRef(KEY, thankYou.key),
        next: 'li_research',
      },
      {
        id: 'li_research',
        type: 'linkedin_research',
        name: 'Research the customer on LinkedIn',
        description:
          'Look up the requester and the company: role, seniority and tenure, team size, recent posts; company growth, news and open roles that relate to your product; mutual connections. Note on the opportunity the likely use case, other stakeholders to invite, and one point to open the demo with.',
        next: 'li_connect',
      },
      {
        id: 'li_connect',
        type: 'linkedin_connect',
        name: 'Connect on LinkedIn',
        description:
          'Send a connection request with a short note: thank them for their interest and say you look forward to showing them around. No pitch.',
        next: 'wait_1d',
      },
      {
        id: 'wait_1d',
        type: 'wait',
        name: 'Wait a day',
        description: 'One day before asking for a demo slot, as your thank-you email promised.',
        duration: 'P1D',
        next: 'email_demo_times',
      },
      {
        id: 'email_demo_times',
        type: 'email',
        name: 'Email: request a time for the demo',
        description:
          'Ask for two or three times. Adjust the agenda to what you learned from their reply and your research; add your booking link if you use one.',
        templateId: builtInTemplateRef(KEY, demoTimes.key),
        next: 'cond_reply_demo',
      },
      {
        id: 'cond_reply_demo',
        type: 'condition',
        name: 'Replied with a time?',
        description:
          'Waits up to two days for a reply to the demo request and moves on as soon as one arrives.',
        if: { signal: 'email_replied', step: 'email_demo_times' },
        within: 'P2D',
        moveOnSignal: true,
        yes: 'task_book_reply',
        no: 'call_demo',
      },
      {
        id: 'task_book_reply',
        type: 'task',
        name: 'Set up the demo meeting',
        description:
          'They replied. Send the invitation for the time they chose (45 minutes, video link) to everyone they named, and prepare the demo around the use case from your research. Update the opportunity with the next step and expected close date.',
      },
      {
        id: 'call_demo',
        type: 'phone_call',
        name: 'Call to schedule the demo',
        description:
          'No reply to your email. Call to book the demo: thank them for their interest, ask what prompted the request and who should join, and agree a 45-minute slot while you are on the phone. If you get voicemail, leave your number and say you will email a couple of times. Log "answered" only if you spoke with them.',
        next: 'cond_answer_demo',
      },
      {
        id: 'cond_answer_demo',
        type: 'condition',
        name: 'Answered the call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call_demo', outcome: ['answered'] },
        yes: 'task_book_call',
        no: 'wait_2d',
      },
      {
        id: 'task_book_call',
        type: 'task',
        name: 'Set up the demo agreed on the call',
        description:
          'Send the invitation for the time you agreed on the phone while the conversation is fresh, with an agenda that reflects what they told you. Invite the stakeholders they mentioned and record the next step on the opportunity.',
      },
      {
        id: 'wait_2d',
        type: 'wait',
        name: 'Wait two days',
        description: 'Two days before the follow-up call.',
        duration: 'P2D',
        next: 'call_demo_followup',
      },
      {
        id: 'call_demo_followup',
        type: 'phone_call',
        name: 'Follow-up call to schedule the demo',
        description:
          'Last attempt. Call at a different time of day than before. Ask whether the demo is still a priority and, if so, book it; if the timing is wrong, agree when to check back and note it on the opportunity. Log "answered" only if you spoke with them.',
        next: 'cond_answer_followup',
      },
      {
        id: 'cond_answer_followup',
        type: 'condition',
        name: 'Answered the follow-up call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call_demo_followup', outcome: ['answered'] },
        yes: 'task_book_call',
        no: 'disqualify',
      },
      {
        id: 'disqualify',
        type: 'update_field',
        name: 'Disqualify the opportunity',
        description:
          'No reply to two emails and no answer to two calls: sets the opportunity status to disqualified.',
        field: 'status',
        value: 'disqualified',
      },
    ],
  },
};
