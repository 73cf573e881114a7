"""The referral list page and API list take a constant number of queries, however many referrals there are
(design: Scale)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import helpers


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_lists_do_not_grow_with_rows(scenario, client):
    s = scenario
    helpers.submitted(s)
    client.force_login(s.county_specialist)
    urls = ["/referrals/", "/referrals/?box=in&state=submitted", "/api/v1/referrals/", "/api/v1/referrals/?box=in",
            "/referrals/filings/", "/api/v1/referral-filings/"]
    for url in urls:
        _count(client, url)
    one = {url: _count(client, url) for url in urls}
    for _ in range(6):
        helpers.submitted(s)
    assert {url: _count(client, url) for url in urls} == one
