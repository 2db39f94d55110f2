"""URLs of immediate-feedback practice (namespace `practice`, under /quizzes/attempts/)."""

app_name = "practice"

urlpatterns: list = []
