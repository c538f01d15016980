// A mailbox's fields as the administrators' mailbox dialog and a user's own "Your mailbox" form both edit
// them: the From line, the SMTP server, replies over IMAP and the sending limits. The password and the IMAP
// URL are write-only: a stored one is said to be there, never shown. The caller keeps the form state and
// says which message belongs under which field (its own checks, or the server's).
import type { Dispatch, InputHTMLAttributes, ReactNode, SetStateAction } from 'react';
import type { Mailbox } from '../api/types.js';
import { imapLabel, type MailboxForm, secureForPort } from './mailbox-form.js';

export type MailboxTextKey = Exclude<keyof MailboxForm, 'secure' | 'clearImap'>;

export interface MailboxFieldKit {
  /** A labelled field around `input`, with its hint and its problem, if any. */
  field: (key: keyof MailboxForm, label: string, input: ReactNode, hint?: string) => ReactNode;
  /** A text input bound to the form. */
  text: (key: MailboxTextKey, props?: InputHTMLAttributes<HTMLInputElement>) => ReactNode;
}

/** The labelled-field and text-input helpers both mailbox forms build their rows with. */
export function mailboxFieldKit(
  form: MailboxForm,
  setForm: Dispatch<SetStateAction<MailboxForm>>,
  problemOf: (key: keyof MailboxForm) => string | undefined,
): MailboxFieldKit {
  return {
    field: (key, label, input, hint) => (
      // biome-ignore lint/a11y/noLabelWithoutControl: the control is the `input` passed in
      <label className="field">
        <span className="field-label">{label}</span>
        {input}
        {hint !== undefined && <span className="field-hint">{hint}</span>}
        {problemOf(key) !== undefined && <span className="field-error">{problemOf(key)}</span>}
      </label>
    ),
    text: (key, props = {}) => (
      <input
        {...props}
        value={form[key]}
        aria-invalid={problemOf(key) !== undefined}
        onChange={props.onChange ?? ((e) => setForm((f) => ({ ...f, [key]: e.target.value })))}
      />
    ),
  };
}

/** From, SMTP server, replies (IMAP) and limits; `mailbox` is the stored one being changed, if any. */
export function MailboxFields({
  form,
  setForm,
  mailbox,
  kit,
  capHint,
  fromAddressFixed,
}: {
  form: MailboxForm;
  setForm: Dispatch<SetStateAction<MailboxForm>>;
  mailbox: Mailbox | null;
  kit: MailboxFieldKit;
  capHint: string;
  /** Why the From address cannot be changed here (a user's own mailbox sends as them), if it cannot. */
  fromAddressFixed?: string;
}) {
  const { field, text } = kit;
  return (
    <>
      <div className="form-row">
        {field(
          'fromName',
          'From name',
          text('fromName', { autoComplete: 'name', placeholder: 'Sam Okafor' }),
        )}
        {field(
          'fromAddress',
          'From address',
          text('fromAddress', { type: 'email', required: true, readOnly: fromAddressFixed !== undefined }),
          fromAddressFixed,
        )}
      </div>
      <fieldset className="fieldset">
        <legend>SMTP server</legend>
        <div className="form-row">
          {field(
            'host',
            'Host',
            text('host', { required: true, placeholder: 'smtp.example.com', spellCheck: false }),
          )}
          {field(
            'port',
            'Port',
            text('port', {
              inputMode: 'numeric',
              onChange: (e) => {
                const port = e.target.value;
                const secure = secureForPort(port);
                setForm((f) => ({ ...f, port, ...(secure === undefined ? {} : { secure }) }));
              },
            }),
          )}
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={form.secure}
            onChange={(e) => setForm((f) => ({ ...f, secure: e.target.checked }))}
          />
          <span>
            <span className="check-title">Connect with TLS</span>
            <span className="field-hint">Usually on for port 465; port 587 upgrades with STARTTLS.</span>
          </span>
        </label>
        <div className="form-row">
          {field('username', 'User name', text('username', { autoComplete: 'off', spellCheck: false }))}
          {field(
            'password',
            'Password',
            text('password', {
              type: 'password',
              autoComplete: 'new-password',
              placeholder: mailbox?.hasPassword ? '•••••••• (stored)' : '',
            }),
            mailbox?.hasPassword
              ? 'A password is stored; it is never shown. Type a new one to replace it.'
              : 'Stored encrypted; it is never shown again.',
          )}
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Replies (IMAP)</legend>
        {field(
          'imapUrl',
          'IMAP URL',
          text('imapUrl', {
            autoComplete: 'off',
            spellCheck: false,
            disabled: form.clearImap,
            placeholder: mailbox?.imap
              ? `${imapLabel(mailbox.imap)} (stored)`
              : 'imaps://user:password@imap.example.com:993/INBOX',
          }),
          mailbox?.imap
            ? 'Replies and bounces are read from this folder; its password is never shown. Type a new URL to replace it.'
            : 'Optional: Stepwise reads replies and bounces from this folder. Stored encrypted; never shown again.',
        )}
        {mailbox?.imap && (
          <label className="check">
            <input
              type="checkbox"
              checked={form.clearImap}
              onChange={(e) => setForm((f) => ({ ...f, clearImap: e.target.checked, imapUrl: '' }))}
            />
            <span>
              <span className="check-title">Stop reading replies here</span>
              <span className="field-hint">Replies are no longer read from this mailbox once you save.</span>
            </span>
          </label>
        )}
      </fieldset>
      <fieldset className="fieldset">
        <legend>Limits</legend>
        <div className="form-row">
          {field('dailyCap', 'Emails per 24 hours', text('dailyCap', { inputMode: 'numeric' }), capHint)}
          {field(
            'minSpacingSeconds',
            'Seconds between emails',
            text('minSpacingSeconds', { inputMode: 'numeric' }),
            'Spreads sending out, as a person would.',
          )}
        </div>
      </fieldset>
    </>
  );
}
