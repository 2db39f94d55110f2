"""When the attempt page's script saves, for a trainee answering at a steady pace.

quizzes/static/quizzes/attempt.js saves a changed answer within the autosave period of
the first unsaved change (one request carrying every answer given by then), and sends
nothing of its own before Submit, whose form post carries the answers. The whole-quiz
step (bench/locustfile.py) replays that rule for a modelled trainee instead of waiting
the minutes a real one takes, so it sends the requests the browser would.
"""

from __future__ import annotations

# A trainee's time on one question: reading a clinical stem and four or five choices.
# Slower trainees save after more of their answers (at 30 s or more, after every one).
PACE_SECONDS = 20


def autosave_points(count: int, *, pace: float, period: float) -> list[int]:
    """The answers (0-based) after which the script sends a save, for `count` answers
    given `pace` seconds apart and Submit `pace` seconds after the last. A save planned
    for the moment of an answer goes first (its timer fires before the click)."""
    points: list[int] = []
    due: float | None = None
    for index in range(count):
        at = index * pace
        if due is not None and due <= at:
            points.append(index - 1)
            due = None
        if due is None:
            due = at + period
    if due is not None and due <= count * pace and count:
        points.append(count - 1)
    return points
