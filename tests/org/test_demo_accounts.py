"""Every demo account logs in and sees its role's navigation (issue 3, "Done when")."""
from tests.scenario import login_through_pages
from yigongti.demo.accounts import DEMO_PASSWORD
from yigongti.demo.registry import DemoContext
from yigongti.org.demo import build_structure
from yigongti.org.models import User

# What each account's navigation must and must not offer.
EXPECTED = {
    "demo-office": ({"机构与人员", "人口数", "指标看板"}, {"审计日志"}),
    "demo-bureau": ({"人口数", "指标看板"}, {"审计日志"}),
    "demo-auditor": ({"审计日志"}, {"人口数", "指标看板", "居民档案"}),
    "demo-sysadmin": ({"人口数"}, {"审计日志", "指标看板"}),
    "demo-village-a": ({"居民档案", "待办"}, {"人口数", "审计日志", "指标看板"}),
    "demo-township": ({"居民档案", "待办"}, {"人口数", "审计日志"}),
    "demo-finance": ({"医保与绩效", "指标目录"}, {"居民档案", "审计日志"}),
}


def test_each_demo_account_logs_in_and_sees_its_navigation(client, db, settings):
    settings.YIGONGTI_DEMO = True  # as `make demo` runs (demo accounts keep the shared password only then)
    build_structure(DemoContext(scale="tiny", seed=1, log=lambda line: None))
    usernames = list(User.objects.filter(username__startswith="demo-").values_list("username", flat=True))
    assert len(usernames) >= 15
    for username in usernames:
        client.logout()
        response = login_through_pages(client, username, DEMO_PASSWORD)  # office roles: 2FA setup on first login
        assert response.status_code in (200, 302), username
        body = client.get("/").content.decode()
        nav = body.split('id="mainnav"')[1].split("</nav>")[0]
        must, must_not = EXPECTED.get(username, (set(), set()))
        for label in must:
            assert label in nav, f"{username} should see {label}"
        for label in must_not:
            assert label not in nav, f"{username} should not see {label}"
