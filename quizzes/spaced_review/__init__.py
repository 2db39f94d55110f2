"""Spaced review: a queue per trainee scheduled by FSRS, short sessions, nudges (issue 19)."""
