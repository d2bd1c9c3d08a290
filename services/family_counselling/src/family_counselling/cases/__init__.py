"""Cases: intake and triage, the derived priority and an office's work queue, closing and
reopening."""
