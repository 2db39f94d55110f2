from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class TrainingsiteConfig(AppConfig):
    name = "trainingsite"
    verbose_name = "Training site"

    def ready(self) -> None:
        from trainingsite.roles import sync_role_permissions
        from trainingsite.sessions import session_stamp_on_login

        # Runs after every migrate (test databases included) so that a role's
        # permissions follow the models as they are added.
        post_migrate.connect(sync_role_permissions, dispatch_uid="trainingsite.sync_roles")
        # Connects the receiver that records role changes in the audit trail.
        import trainingsite.audit  # noqa: F401

        user_logged_in.connect(session_stamp_on_login, dispatch_uid="trainingsite.session_stamp")
