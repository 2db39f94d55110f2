"""Signals the quiz engine sends, so other concerns can react without the engine importing them.

``attempt_graded`` is sent with ``attempt=`` once a graded attempt is scored
(submitted by the trainee or closed at its time limit), and for each attempt a
confirmed regrade turned into a pass; never for practice rounds. It is sent
inside the attempt's transaction: a receiver's writes commit or roll back with
the score. Certification connects to it in quizzes/certification/receivers.py.

``answer_checked`` is sent by immediate-feedback practice (quizzes/practice/services.py)
with ``attempt=``, ``question=`` (the paper's entry), ``is_correct=`` and ``checked_at=``
the first time a question of the attempt is checked, inside the check's transaction.
Spaced review connects to it in quizzes/spaced_review/receivers.py.
"""

from django.dispatch import Signal

attempt_graded = Signal()
answer_checked = Signal()
