-- The work list's upcoming part: manual steps of one owner scheduled to open later (or snoozed), by due
-- time. Rows leave the index when they open (enrollment_steps_worklist_idx takes over) or end.
CREATE INDEX enrollment_steps_scheduled_idx ON enrollment_steps (owner_id, due_at, id)
  WHERE state = 'waiting'
    AND type IN ('email', 'phone_call', 'task', 'linkedin_research', 'linkedin_get_introduced',
                 'linkedin_connect', 'linkedin_inmail');
