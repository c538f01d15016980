// "High volume outbound prospecting" (lead): an automated introduction, up to three calls with an automated
// follow-up between the first two, a LinkedIn connection once you have spoken, and disqualification if never.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { AT_COMPANY, FIRST_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'high-volume-outbound';

/** A verb phrase on the lead ("shorten their sales cycle"): what teams like theirs want to achieve. */
const BUSINESS_GOAL =
  '{{ record.fields.business_goal | default: "grow revenue without adding more process" }}';

const introduction: BuiltInEmailTemplate = {
  key: 'introduction',
  name: 'Outbound: introduction',
  subject: `A quick introduction, ${FIRST_NAME}`,
  body: `Hi ${FIRST_NAME},

I'm {{ sender.name }}, and I work with teams like {{ record.company | default: "yours" }} that want to ${BUSINESS_GOAL}.

I won't pretend to know your priorities from the outside, which is why I'd value 20 minutes to hear how you handle this today and share what has worked for similar teams. If it isn't relevant, you'll have lost very little time, and I'll know not to bother you again.

I'll give you a quick call in the next couple of days. If another time or channel suits you better, just reply and let me know.

${SIGNATURE}`,
};

const followUp: BuiltInEmailTemplate = {
  key: 'follow-up',
  name: 'Outbound: follow-up after a missed call',
  subject: 'Sorry I missed you',
  body: `Hi ${FIRST_NAME},

I tried to reach you by phone earlier but couldn't get through, so I thought I'd follow up here.

In short: I'd like 20 minutes to hear how you work today, and to share how teams in a similar position ${BUSINESS_GOAL}. No preparation needed on your side.

Is there a day and time this week or next that works for you? Reply with what suits you and I'll send an invitation. Otherwise, I'll try calling again in a few days.

If someone else ${AT_COMPANY} looks after this, I'd appreciate a pointer in the right direction.

${SIGNATURE}`,
};

export const highVolumeOutbound: SequenceTemplate = {
  key: KEY,
  name: 'High volume outbound prospecting',
  entityType: 'lead',
  description:
    'Meet new prospects and learn their needs: an automated introduction, up to three calls over nine days with an automated follow-up, a LinkedIn connection and a meeting once you reach them, and disqualification when you never do.',
  emailTemplates: [introduction, followUp],
  definition: {
    start: 'auto_intro',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'auto_intro',
        type: 'automated_email',
        name: 'Automated introduction email',
        description:
          'Sent automatically within your working hours: introduces you, gives one reason to talk, and says you will call. Make sure the lead has an email address and company before connecting them; set business_goal on the lead (a phrase such as "shorten their sales cycle") to make the pitch specific.',
        templateId: builtInTemplateRef(KEY, introduction.key),
        next: 'wait_intro',
      },
      {
        id: 'wait_intro',
        type: 'wait',
        name: 'Wait two days',
        description: 'Gives the introduction two days to land before your first call.',
        duration: 'P2D',
        next: 'call1',
      },
      {
        id: 'call1',
        type: 'phone_call',
        name: 'Research the lead on LinkedIn, then call',
        description:
          'Before you dial (5 minutes): look up the lead and the company on LinkedIn: their role and how long they have held it, recent posts, company size, news and open roles that hint at priorities. Note one specific hook. On the call: refer to your introduction email, use the hook, ask how they handle this today, listen for a problem you can solve, and ask for a 30-minute meeting. Log "answered" only if you spoke with the lead.',
        next: 'cond_answer1',
      },
      {
        id: 'cond_answer1',
        type: 'condition',
        name: 'Answered the first call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call1', outcome: ['answered'] },
        yes: 'li_connect',
        no: 'auto_followup',
      },
      {
        id: 'li_connect',
        type: 'linkedin_connect',
        name: 'Connect on LinkedIn and book the meeting',
        description:
          'You reached the lead. Send the meeting invitation you agreed on the call, then a LinkedIn connection request with a personal note that refers to the conversation ("Good speaking today about …, looking forward to Tuesday"). Record the meeting date and what you learned on the lead so the deal can move to the next stage.',
      },
      {
        id: 'auto_followup',
        type: 'automated_email',
        name: 'Automated follow-up email',
        description:
          'Sent automatically after an unanswered call: says you tried to call and invites the lead to reply with a good time. Nothing to do unless they reply; if they do, reply personally and book the meeting.',
        templateId: builtInTemplateRef(KEY, followUp.key),
        next: 'wait_followup',
      },
      {
        id: 'wait_followup',
        type: 'wait',
        name: 'Wait three days',
        description: 'Gives the lead three days to answer the follow-up email before you call again.',
        duration: 'P3D',
        next: 'call2',
      },
      {
        id: 'call2',
        type: 'phone_call',
        name: 'Second call',
        description:
          'Call at a different time of day than the first attempt. Open with the follow-up email, lead with one specific observation from your research, and ask for a 30-minute meeting; if they agree, book it and connect on LinkedIn. If you get voicemail, leave a message under 30 seconds with your name, number and one reason to call back. Log "answered" only if you spoke with the lead.',
        next: 'cond_answer2',
      },
      {
        id: 'cond_answer2',
        type: 'condition',
        name: 'Answered the second call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call2', outcome: ['answered'] },
        yes: 'li_connect',
        no: 'wait_final',
      },
      {
        id: 'wait_final',
        type: 'wait',
        name: 'Wait two days',
        description: 'Two days before the final call.',
        duration: 'P2D',
        next: 'call3',
      },
      {
        id: 'call3',
        type: 'phone_call',
        name: 'Final call',
        description:
          'Last attempt before the lead is disqualified. Be direct: "I have tried a few times; is this a priority for you this quarter?" If it is, book the meeting. If they are not the right person, ask who is and add that person as a new lead. If the timing is wrong, agree when to check back and note it on the lead. Log "answered" only if you spoke with the lead.',
        next: 'cond_answer3',
      },
      {
        id: 'cond_answer3',
        type: 'condition',
        name: 'Answered the final call?',
        description: 'Takes "yes" when you logged the call as answered.',
        if: { step: 'call3', outcome: ['answered'] },
        yes: 'li_connect',
        no: 'wait_callback',
      },
      {
        id: 'wait_callback',
        type: 'wait',
        name: 'Leave two days for a call back',
        description:
          'Gives the lead two days to return your voicemail. If they call back, book the meeting and disconnect the lead from this sequence before it is disqualified.',
        duration: 'P2D',
        next: 'disqualify',
      },
      {
        id: 'disqualify',
        type: 'update_field',
        name: 'Disqualify the lead',
        description: 'Sets the lead status to disqualified after three unanswered calls and two emails.',
        field: 'status',
        value: 'disqualified',
      },
    ],
  },
};
