"""A trainee's progress by topic across all their attempts (issue 18)."""
