"""Practice with immediate feedback: check one question at a time (issue 18)."""
