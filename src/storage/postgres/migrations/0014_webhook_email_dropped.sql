-- 0014: an administrator's drop of a `send_unknown` message is reported like the sender's own answers
-- (docs/webhooks.md): dropped as delivered (the outbox repository's dropUnknown sets sent_at) is an
-- `email.sent`, dropped otherwise an `email.failed` with the reason as `error`. Only the transition
-- send_unknown → dropped: a suppressed message (pending → dropped) was never an email that went out or failed.
-- 0005's function otherwise unchanged; the statement-level trigger that calls it stays as it is.
CREATE OR REPLACE FUNCTION webhook_outbox_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF webhook_wanted('email.sent') OR webhook_wanted('email.failed') THEN
    INSERT INTO webhook_events (type, subject_id, at, data)
    SELECT e.type, n.id, n.sent_at,
           jsonb_build_object('messageId', n.id, 'enrollmentId', n.payload ->> 'enrollmentId',
                              'enrollmentStepId', (n.payload ->> 'enrollmentId') || '.' ||
                                lpad(n.payload ->> 'seq', greatest(4, length(n.payload ->> 'seq')), '0'),
                              'stepId', n.payload ->> 'stepId', 'recordId', n.payload ->> 'recordId',
                              'ownerId', n.payload ->> 'ownerId', 'sequenceId', n.payload ->> 'sequenceId',
                              'error', CASE e.type WHEN 'email.failed' THEN n.last_error END)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     CROSS JOIN LATERAL (
       SELECT CASE WHEN n.status = 'sent' OR (n.status = 'dropped' AND n.sent_at IS NOT NULL)
                   THEN 'email.sent' ELSE 'email.failed' END AS type
     ) e
     WHERE n.kind = 'email' AND n.status <> o.status
       AND (n.status IN ('sent', 'failed') OR (o.status = 'send_unknown' AND n.status = 'dropped'))
       AND webhook_wanted(e.type)
     ORDER BY n.id;
  END IF;
  RETURN NULL;
END $$;
