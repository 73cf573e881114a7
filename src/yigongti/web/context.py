from yigongti.org.access import roles_by_institution, user_roles

from .nav import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    held = user_roles(user)
    return {
        "nav_items": items_for(user, held),
        "held_roles": held,
        "my_institution_ids": sorted(roles_by_institution(user)),
    }
