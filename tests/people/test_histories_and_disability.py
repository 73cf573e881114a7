"""个人基本信息表: past and family history (one item per line) and disability (checked codes) on the edit page."""
import pytest
from django.core.exceptions import ValidationError

from yigongti.people import actions
from yigongti.people.models import Resident

from .conftest import register


def test_the_edit_page_saves_histories_and_disability_and_the_record_shows_them(scenario, client):
    r = register(scenario)
    client.force_login(scenario.village_doctor_a)
    assert client.get(f"/people/{r.pk}/edit/").status_code == 200
    data = {"name": "罗福英", "document_type": "none", "id_number": "", "sex": "2", "birth_date": "1948-03-02",
            "area": scenario.village_a.pk, "insurance_scheme": "resident", "version": r.version,
            "past_history": "高血压 2010\n阑尾切除术 1985\n", "family_history": "母亲 糖尿病",
            "disability": ["limb", "vision"]}
    assert client.post(f"/people/{r.pk}/edit/", data).status_code == 302
    r = Resident.objects.get(pk=r.pk)
    assert r.past_history == ["高血压 2010", "阑尾切除术 1985"] and r.family_history == ["母亲 糖尿病"]
    assert r.disability == ["limb", "vision"]
    html = client.get(f"/people/{r.pk}/").content.decode()
    assert "阑尾切除术 1985" in html and "视力残疾" in html and "肢体残疾" in html
    edit = client.get(f"/people/{r.pk}/edit/").content.decode()
    assert "高血压 2010\n阑尾切除术 1985" in edit


def test_an_unknown_disability_code_is_a_field_error(scenario):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        actions.update_resident(scenario.village_doctor_a, r, r.version, disability=["wings"])
    assert "disability" in exc.value.message_dict
