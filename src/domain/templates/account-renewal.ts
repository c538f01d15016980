// "Upcoming account renewal" (account): a seven-week path from checking the renewal details to the signed
// contract: renewal meeting, usage review and add-on pitch, follow-up meeting, approved quote, signature.
import { DEFAULT_SEQUENCE_OPTIONS } from '../definition.js';
import { CONTACT_NAME, SIGNATURE } from './merge-fields.js';
import { type BuiltInEmailTemplate, builtInTemplateRef, type SequenceTemplate } from './sequence-template.js';

const KEY = 'account-renewal';

const SUBSCRIPTION = '{{ record.fields.subscription | default: "subscription" }}';
const RENEWAL_DATE =
  '{% if record.fields.renewal_date %}{{ record.fields.renewal_date }}{% else %}the renewal date{% endif %}';

const renewalMeeting: BuiltInEmailTemplate = {
  key: 'renewal-meeting',
  name: 'Renewal: request a meeting',
  subject: "Your upcoming renewal: let's find 30 minutes",
  body: `Hi ${CONTACT_NAME},

The ${SUBSCRIPTION} for {{ record.name }} is up for renewal {% if record.fields.renewal_date %}on {{ record.fields.renewal_date }}{% else %}in the next couple of months{% endif %}. I'd like to make sure the renewal goes smoothly, and that what you renew still fits the way your team works.

Could we set up 30 minutes in the next week or two? I'd like to:

- review how your team uses it today and what is working well,
- answer any questions about the renewal and its terms,
- share a few options that could help you get more out of it.

Reply with a couple of times that suit you and I'll send an invitation.

${SIGNATURE}`,
};

const followUpMeeting: BuiltInEmailTemplate = {
  key: 'follow-up-meeting',
  name: 'Renewal: follow-up meeting',
  subject: 'Following up on your renewal',
  body: `Hi ${CONTACT_NAME},

I'm following up on the {{ record.name }} renewal. Before I put the renewal quote together, I'd like to make sure every question on your side has an answer.

Could we schedule a 30-minute follow-up meeting? We can:

- go through the answers to any open questions,
- look again at the options that would suit your team,
- agree the next steps so that everything is settled well before ${RENEWAL_DATE}.

Please reply with a few times that work for you and anyone else who should be involved.

${SIGNATURE}`,
};

const renewalQuote: BuiltInEmailTemplate = {
  key: 'renewal-quote',
  name: 'Renewal: quotation for review',
  subject: 'Your renewal quote for {{ record.name }}',
  body: `Hi ${CONTACT_NAME},

Here is your renewal quote for review{% if record.fields.quote_url %}: {{ record.fields.quote_url }}{% else %}; you'll find it attached to this email.{% endif %}

In summary, it covers:

- your ${SUBSCRIPTION} for the new term,
- the options we discussed, priced as agreed,
- the start date of the new term and the payment terms.

Take the time you need to review it with your team. I'll call you in about a week to answer any questions and finalise the details. If anything is unclear before then, just reply to this email.

${SIGNATURE}`,
};

const thankYou: BuiltInEmailTemplate = {
  key: 'thank-you',
  name: 'Renewal: thank you',
  subject: 'Thank you for renewing',
  body: `Hi ${CONTACT_NAME},

Thank you for signing the renewal for {{ record.name }}. We appreciate your continued trust, and I'm glad we'll keep working together.

A few things to know:

- The new term starts on ${RENEWAL_DATE}; nothing changes for your users in the meantime.
- If the renewal adds anything new, I'll arrange a short onboarding session for your team.
- I'll check in a few months into the new term to make sure you're getting the value you expect.

If there's anything I can help with before then, just reply to this email.

${SIGNATURE}`,
};

export const accountRenewal: SequenceTemplate = {
  key: KEY,
  name: 'Upcoming account renewal',
  entityType: 'account',
  description:
    'Remind account executives of an upcoming renewal and guide them through it over seven weeks: verify the details, meet the customer, review usage and pitch add-ons, resolve questions, get the quote approved, finalise it and sign the contract.',
  emailTemplates: [renewalMeeting, followUpMeeting, renewalQuote, thankYou],
  definition: {
    start: 'verify_renewal',
    options: { ...DEFAULT_SEQUENCE_OPTIONS },
    steps: [
      {
        id: 'verify_renewal',
        type: 'task',
        name: 'Verify the account and renewal details',
        description:
          'Check the renewal date, the current contract value, the products and seat counts, and who decides and who signs on the customer side. Look for open support cases or escalations that could affect the renewal, and correct anything out of date on the account (renewal_date, contact_name, subscription) before the first email.',
        next: 'email_renewal',
      },
      {
        id: 'email_renewal',
        type: 'email',
        name: 'Email about the renewal and request a meeting',
        description:
          'Tell the customer the renewal is coming up and ask for a 30-minute meeting. If you know of something that went well (or badly) this term, acknowledge it in one line.',
        templateId: builtInTemplateRef(KEY, renewalMeeting.key),
        next: 'wait_renewal',
      },
      {
        id: 'wait_renewal',
        type: 'wait',
        name: 'Wait a week',
        description: 'A week for the customer to reply and book the renewal meeting.',
        duration: 'P7D',
        next: 'review_usage',
      },
      {
        id: 'review_usage',
        type: 'task',
        name: 'Review product usage and research add-ons',
        description:
          'Check which products and features the account uses: licence utilisation, active users, adoption trends, where usage grew or dropped. Then research add-ons or upgrades that fit: they are close to a seat limit, use a workaround that a feature solves, or a new team could benefit. Prepare one or two proposals with indicative pricing for the call.',
        next: 'call_addons',
      },
      {
        id: 'call_addons',
        type: 'phone_call',
        name: 'Call to discuss the renewal and pitch add-ons',
        description:
          'Talking points: confirm the renewal date and their decision process (who signs, procurement steps, budget timing); ask what is working and what is not; answer their questions about the renewal; present the one or two add-ons from your research, tied to what they just told you. Agree the next steps. Log "answered" only if you spoke with the customer.',
        next: 'cond_call_addons',
      },
      {
        id: 'cond_call_addons',
        type: 'condition',
        name: 'Reached the customer?',
        description:
          'Takes "yes" when you logged the call as answered: then you note and work the action items before the follow-up email.',
        if: { step: 'call_addons', outcome: ['answered'] },
        yes: 'action_items',
        no: 'email_followup',
      },
      {
        id: 'action_items',
        type: 'task',
        name: 'Note the action items from the call and work on them',
        description:
          'Write the action items and open questions from the call on the account, then work through them: get answers from product, support or finance, price the add-ons they showed interest in, and line up anyone who should join the follow-up meeting.',
        next: 'email_followup',
      },
      {
        id: 'email_followup',
        type: 'email',
        name: 'Email to schedule a follow-up meeting',
        description:
          'Ask for a follow-up meeting to answer their questions and resolve any doubts before the quote. If you spoke on the call, add a short summary of the action items and where each one stands.',
        templateId: builtInTemplateRef(KEY, followUpMeeting.key),
        next: 'wait_followup',
      },
      {
        id: 'wait_followup',
        type: 'wait',
        name: 'Wait two weeks',
        description:
          'Two weeks to hold the follow-up meeting and close the open questions before building the quote.',
        duration: 'P14D',
        next: 'prepare_quote',
      },
      {
        id: 'prepare_quote',
        type: 'task',
        name: 'Prepare the renewal quote',
        description:
          'Build the renewal quote: current products and seats, the add-ons the customer agreed to consider, term, price changes and any discount, and the start date of the new term. Write down the reasoning behind any discount for the approval.',
        next: 'quote_approval',
      },
      {
        id: 'quote_approval',
        type: 'task',
        name: 'Get the quote approved by the sales team',
        description:
          'Review the quote with your sales manager, and with deal desk or finance if the discount is beyond your authority. Complete this step once the quote is approved, and record the approved version and any conditions on the account.',
        next: 'call_quote',
      },
      {
        id: 'call_quote',
        type: 'phone_call',
        name: 'Call to discuss the approved renewal quote',
        description:
          'Walk the customer through the approved quote: what is renewed, what is new and why, the price and terms. Handle objections, confirm who needs to review it on their side, and tell them the quote will arrive by email today.',
        next: 'email_quote',
      },
      {
        id: 'email_quote',
        type: 'email',
        name: 'Email the quotation for review',
        description:
          'Attach the approved quote (or set quote_url on the account to link to it) and send it the same day as your call.',
        templateId: builtInTemplateRef(KEY, renewalQuote.key),
        next: 'wait_review',
      },
      {
        id: 'wait_review',
        type: 'wait',
        name: 'Wait a week',
        description: 'A week for the customer to review the quotation with their team.',
        duration: 'P7D',
        next: 'call_finalize',
      },
      {
        id: 'call_finalize',
        type: 'phone_call',
        name: 'Call to finalise the quotation',
        description:
          'Answer their questions on the quote, agree any last changes (re-approve if the price moves), and confirm the signing process: who signs, purchase order needs, and the date. Then prepare the renewal contract.',
        next: 'wait_contract',
      },
      {
        id: 'wait_contract',
        type: 'wait',
        name: 'Wait three weeks',
        description:
          "Three weeks for the contract to go through the customer's legal and procurement review.",
        duration: 'P21D',
        next: 'sign_contract',
      },
      {
        id: 'sign_contract',
        type: 'task',
        name: 'Discuss and sign the renewal contract',
        description:
          'Chase any open points from legal or procurement, walk the signer through the contract, and get it signed. Record the signed contract, the new term and its value on the account, then complete this step.',
        next: 'wait_countersigned',
      },
      {
        id: 'wait_countersigned',
        type: 'wait',
        name: 'Wait a day',
        description: 'Sends the thank-you once the countersigned contract is back with the customer.',
        duration: 'P1D',
        next: 'email_thanks',
      },
      {
        id: 'email_thanks',
        type: 'email',
        name: 'Email a thank-you for renewing',
        description:
          'Thank the customer for signing. Mention any onboarding for new add-ons and when you will next check in.',
        templateId: builtInTemplateRef(KEY, thankYou.key),
      },
    ],
  },
};
