"""The demo accounts printed by `make demo`. Foundation 2's demo part fills DEMO_ACCOUNTS."""
from __future__ import annotations

DEMO_PASSWORD = "yigongti-demo-2026"  # noqa: S105 - synthetic demo county only; documented in the README

# (username, role label) — appended by the org demo part in build order
DEMO_ACCOUNTS: list[tuple[str, str]] = []


def announce(out, url: str) -> None:
    from django.contrib.auth import get_user_model

    from yigongti.org.access import user_roles
    from yigongti.org.models import Role

    out.write("")
    out.write(f"医共体信息平台 yigongti: {url}")
    users = get_user_model().objects.filter(username__startswith="demo-").order_by("username")
    if users:
        out.write(f"演示账号 (demo accounts), password / 密码: {DEMO_PASSWORD}")
        labels = dict(Role.choices)
        for user in users:
            roles = ", ".join(str(labels.get(r, r)) for r in sorted(user_roles(user)))
            out.write(f"  {user.username:<28} {user.display_name:<8} {roles}")
    out.write("")
