"""URLs of the trainee's progress by topic (namespace `mastery`, under /me/progress/)."""

app_name = "mastery"

urlpatterns: list = []
