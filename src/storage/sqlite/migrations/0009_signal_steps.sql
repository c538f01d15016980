-- 0009_signal_steps (SQLite): the email step a signal is about. A signal that only records a fact a
-- later condition reads (an open, a click, a reply with exit-on-reply off) is stored, not applied to its
-- enrollment at once; the engine reads these rows when a condition decides (src/engine/signal-facts.ts).
-- Earlier rows have no step: they were applied when they came.

ALTER TABLE signals ADD COLUMN step_id TEXT;
