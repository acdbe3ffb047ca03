from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _nav(request) -> dict:
    """What the menu shows: KE pages only to KE officers, the directory to staff, and the unread count of in-app
    notifications."""
    from helhet.access.policy import Action
    from helhet.access.queries import may_role
    from helhet.notifications.selectors import unread_count

    user = request.user
    if not user.is_authenticated:
        return {}
    return {"is_ke": may_role(user, Action.KE_WORKLIST), "directory": may_role(user, Action.DIRECTORY_VIEW),
            "unread": unread_count(actor=user)}


def helhet(request):
    return {"HELHET_DEMO": settings.HELHET_DEMO, "nav": SimpleLazyObject(lambda: _nav(request))}
