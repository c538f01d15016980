-- 0004_signals_suppressions (SQLite): the addresses never emailed again, and which step instances
-- already counted an engagement signal (step_stats counts a step's first open, click, reply, bounce).

CREATE TABLE suppressions (
  email  TEXT    NOT NULL PRIMARY KEY CHECK (email = lower(email)),
  reason TEXT    NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
  at     INTEGER NOT NULL,
  source TEXT
) WITHOUT ROWID;

-- One row per (history row, counter) that step_stats has counted: a second open of the same email
-- is stored in signals but not counted again.
CREATE TABLE signal_step_firsts (
  step_row_id TEXT    NOT NULL,
  counter     TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (step_row_id, counter)
) WITHOUT ROWID;
