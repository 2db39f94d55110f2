"""Learning records: xAPI statements sent to a Learning Record Store through the job queue."""
