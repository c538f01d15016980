-- 0018_step_snoozed_at (SQLite): when a seller last snoozed the step (epoch ms), NULL if never. A waiting
-- row with it opens at due_at, the seller's chosen time: the work list tells a snoozed step from a
-- scheduled one, and offers to snooze it again.

ALTER TABLE enrollment_steps ADD COLUMN snoozed_at INTEGER;
