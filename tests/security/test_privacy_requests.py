"""Personal-information rights requests (issue 16): tracked with a deadline, answered with what was disclosed."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yigongti.audit import privacy
from yigongti.audit.models import AuditEntry


def test_a_request_has_a_deadline_and_reports_what_was_disclosed(scenario, settings):
    settings.YIGONGTI_PRIVACY_ANSWER_DAYS = 15
    request = privacy.open_request(scenario.village_doctor_a, resident_id=42, institution=scenario.clinic_a,
                                   kind="access", details="查阅本人随访记录")
    assert request.due_date == timezone.localdate() + dt.timedelta(days=15)
    assert list(privacy.overdue(timezone.localdate() + dt.timedelta(days=16))) == [request]
    privacy.close_request(scenario.village_doctor_a, request, answer="已提供打印件", disclosed=["基本信息", "随访记录"])
    request.refresh_from_db()
    assert request.status == "done" and request.disclosed == ["基本信息", "随访记录"]
    assert not privacy.overdue(timezone.localdate() + dt.timedelta(days=16)).exists()
    assert AuditEntry.objects.filter(object_type="audit.PrivacyRequest").count() == 2
    with pytest.raises(ValidationError):
        privacy.close_request(scenario.village_doctor_a, request, answer="again", disclosed=[])


def test_only_the_institution_handles_its_requests(scenario):
    with pytest.raises(PermissionDenied):
        privacy.open_request(scenario.village_doctor_b, resident_id=42, institution=scenario.clinic_a, kind="access")
