-- 0010_facts_from_firsts (SQLite): the facts a condition reads (an open, a click, an attachment opened, a
-- reply of an email step) come from signal_step_firsts, which keeps the earliest time of each (step
-- instance, counter) and is found by the enrollment's history rows, instead of from the signal rows found
-- by record. signals_record_at_idx served only that read: a random-key index written by every signal.
-- The stored facts of earlier signals (0009: rows with a step) are carried over, each at its earliest time.

INSERT INTO signal_step_firsts (step_row_id, counter, at)
SELECT s.id, g.type, min(g.at)
  FROM signals g
  JOIN enrollment_steps s ON s.enrollment_id = g.enrollment_id AND s.step_id = g.step_id
 WHERE g.step_id IS NOT NULL
   AND g.type IN ('email_opened', 'email_clicked', 'email_replied', 'email_attachment_opened')
 GROUP BY s.id, g.type
ON CONFLICT (step_row_id, counter) DO UPDATE SET at = min(signal_step_firsts.at, excluded.at);

DROP INDEX signals_record_at_idx;
