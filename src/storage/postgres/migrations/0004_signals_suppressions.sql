-- 0004_signals_suppressions (PostgreSQL): the addresses never emailed again, and which step instances
-- already counted an engagement signal (step_stats counts a step's first open, click, reply, bounce).

CREATE TABLE suppressions (
  email  text COLLATE "C" NOT NULL PRIMARY KEY CHECK (email = lower(email)),
  reason text             NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'manual')),
  at     bigint           NOT NULL,
  source text
);

-- One row per (history row, counter) that step_stats has counted: a second open of the same email
-- is stored in signals but not counted again.
CREATE TABLE signal_step_firsts (
  step_row_id text COLLATE "C" NOT NULL,
  counter     text COLLATE "C" NOT NULL,
  at          bigint           NOT NULL,
  PRIMARY KEY (step_row_id, counter)
);
