"""The pages: the township timetable (printable), the session page with the bookings for the specialist (who
then sees the record), the family doctor's booking form, consultations, outreach."""

from django.urls import reverse
from django.utils import timezone

from yigongti.experts import actions
from yigongti.experts.models import Booking

from . import helpers


def test_the_timetable_is_a_table_by_clinic_and_weekday(client, scenario):
    s = scenario
    helpers.entry(s, weekday=0, clinic="康复科门诊", specialty="康复医学")
    helpers.entry(s, weekday=2, clinic="外科门诊", specialty="骨科")
    client.force_login(s.village_doctor_a)
    page = client.get(reverse("experts:timetable", args=[s.centre_1.pk])).content.decode()
    assert "康复科门诊" in page and "骨科" in page and "星期五" in page and "8:00-11:30" in page
    assert client.get(reverse("experts:timetable", args=[s.centre_1.pk]) + "?print=1").status_code == 200


def test_a_family_doctor_books_and_the_specialist_sees_the_booking_and_the_record(client, scenario):
    s = scenario
    session = helpers.session(s)
    p = helpers.contracted(s, name="页面预约乙")
    client.force_login(s.village_doctor_a)
    form = client.get(reverse("experts:book", args=[session.pk]), {"q": "页面预约乙"}).content.decode()
    assert "我的签约居民" in form
    response = client.post(reverse("experts:book", args=[session.pk]), {"resident": p.pk})
    assert response.status_code == 302
    b = Booking.objects.get(session=session, resident=p)
    assert b.slot.reserved
    client.force_login(s.county_specialist)
    page = client.get(reverse("experts:session", args=[session.pk])).content.decode()
    assert "页面预约乙" in page and reverse("people:detail", args=[p.pk]) in page
    assert client.get(reverse("people:detail", args=[p.pk])).status_code == 200
    assert client.get(reverse("experts:index")).status_code == 200


def test_booking_errors_show_as_messages(client, scenario):
    s = scenario
    session = helpers.session(s, capacity=1, reserved=1)
    p = helpers.resident(s)
    client.force_login(s.township_doctor)
    response = client.post(reverse("experts:book", args=[session.pk]), {"resident": p.pk}, follow=True)
    assert "未签约家庭医生" in response.content.decode()


def test_consultation_pages(client, scenario):
    s = scenario
    p = helpers.resident(s)
    client.force_login(s.village_doctor_a)
    url = reverse("experts:consultation_new") + f"?resident={p.pk}"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"resident": p.pk, "institution": s.clinic_a.pk, "specialist": s.county_specialist.pk,
                            "mode": "booked", "question": "x"})
    assert bad.status_code == 200 and "预约会诊须填写会诊时间" in bad.content.decode()
    ok = client.post(url, {"resident": p.pk, "institution": s.clinic_a.pk, "specialist": s.county_specialist.pk,
                           "mode": "instant", "question": "请指导用药"})
    assert ok.status_code == 302
    c = p.expert_consultations.get()
    client.force_login(s.county_specialist)
    client.post(reverse("experts:consultation_answer", args=[c.pk]), {"answer": "加用二甲双胍", "video_call": "on"})
    c.refresh_from_db()
    assert c.status == "answered" and c.video_call
    client.force_login(s.village_doctor_a)
    assert "加用二甲双胍" in client.get(reverse("people:detail", args=[p.pk])).content.decode()


def test_outreach_page_shows_figures(client, scenario):
    s = scenario
    actions.record_outreach(None, kind="free_clinic", institution=s.centre_1, date=timezone.localdate(), topic="义诊",
                            experts=[s.county_specialist], participants=120, count=120)
    client.force_login(s.health_bureau)
    page = client.get(reverse("experts:outreach")).content.decode()
    assert "义诊" in page and "120" in page


def test_the_centre_admin_keeps_the_timetable(client, scenario):
    s = scenario
    client.force_login(s.institution_admin_t1)
    url = reverse("experts:timetable_manage", args=[s.centre_1.pk])
    bad = client.post(url, {"op": "entry", "clinic": "", "weekday": 0, "half_day": "am", "specialty": "骨科",
                            "capacity": 5, "reserved": 9, "valid_from": "2026-01-01"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    ok = client.post(url, {"op": "entry", "clinic": "外科门诊", "weekday": 0, "half_day": "am", "specialty": "骨科",
                           "specialist": s.county_specialist.pk, "home_institution": s.county_hospital.pk,
                           "capacity": 10, "reserved": 3, "valid_from": "2026-01-01"})
    assert ok.status_code == 302
    start = helpers.next_weekday(0)
    client.post(url, {"op": "generate", "start": start.isoformat(), "end": start.isoformat()})
    from yigongti.experts.models import Session

    assert Session.objects.filter(date=start).count() == 1
    client.force_login(s.township_doctor)
    assert client.get(url).status_code == 403


def test_the_landing_page_shows_the_townships_outreach_figures(client, scenario):
    s = scenario
    actions.record_outreach(None, kind="surgery_taught", institution=s.centre_1, date=timezone.localdate(),
                            topic="清创缝合术", experts=[s.county_specialist], participants=3, count=4)
    client.force_login(s.township_doctor)
    page = client.get("/").content.decode()
    assert "专家下乡活动" in page and "手术带教" in page
