"""Records the site's services write (attempts, observations, deliveries, ...): the admin
shows them and never adds, changes or deletes one, for superusers too."""


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline: every write permission refused."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
