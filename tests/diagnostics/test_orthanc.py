"""The Orthanc adapter against the real archive (Debian's orthanc + orthanc-dicomweb, started by
tools/ci_services.sh): STOW-RS a synthetic instance, find it with QIDO-RS, read it back, link a study a
modality sent to the archive. Outside CI the tests skip when Orthanc is not reachable; under CI=true they
fail, so a broken archive setup cannot pass silently."""
import os

import pytest

from yigongti.diagnostics.storage import OrthancStorage

from . import helpers


@pytest.fixture
def archive():
    store = OrthancStorage()
    if not store.reachable():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Orthanc is not reachable at {store.base} (tools/ci_services.sh should have started it)")
        pytest.skip(f"Orthanc is not reachable at {store.base}")
    return store


def test_stow_qido_and_read_back(archive):
    content = helpers.dicom("CT")
    from yigongti.diagnostics import dicom

    info = dicom.parse(content)
    saved = archive.save(content, kind="dicom", filename="head.dcm", content_type="application/dicom")
    assert saved.storage == "orthanc" and saved.key.endswith(info["instance_uid"])
    found = archive.find_instances(info["study_uid"])
    assert [(x["series_uid"], x["instance_uid"], x["modality"]) for x in found] == [
        (info["series_uid"], info["instance_uid"], "CT")]
    assert info["study_uid"] in archive.find_studies(StudyInstanceUID=info["study_uid"])
    assert dicom.parse(archive.open(saved.key))["instance_uid"] == info["instance_uid"]
    assert archive.find_instances("1.2.3.4.5.6.7.8.9.0.999") == []


def test_pdfs_stay_local(archive, tmp_path):
    from yigongti.diagnostics.storage import LocalStorage

    store = OrthancStorage(local=LocalStorage(tmp_path))
    saved = store.save(helpers.ecg_pdf(), kind="pdf", filename="e.pdf", content_type="application/pdf")
    assert saved.storage == "local" and store.local.open(saved.key) == helpers.ecg_pdf()


@pytest.mark.django_db
def test_uploads_go_to_the_archive_and_studies_link_to_requests(archive, scenario, settings):
    s = scenario
    settings.YIGONGTI_DIAGNOSTICS = {**settings.YIGONGTI_DIAGNOSTICS, "STORAGE": "orthanc"}
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.storage import open_file

    r = helpers.request(s, "DR-CHEST")
    content = helpers.dicom("DX")
    f = actions.attach_study(s.village_doctor_a, r, filename="chest.dcm", content=content)
    assert f.storage == "orthanc" and open_file(f.storage, f.key) == content
    # a CT scanner sent two instances of one study straight to the archive; the centre links them
    from pydicom.uid import generate_uid

    study, series = generate_uid(), generate_uid()
    for _ in range(2):
        archive.stow(helpers.dicom("CT", study_uid=study, series_uid=series))
    ct = helpers.request(s, "CT-HEAD")
    linked = actions.link_archived_study(s.county_specialist, ct, study_uid=study)
    assert len(linked) == 2 and {x.study_uid for x in linked} == {study}
    assert actions.link_archived_study(s.county_specialist, ct, study_uid=study) == []  # once
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.link_archived_study(s.county_specialist, ct, study_uid="1.2.3.4.5.6.7.8.9.0.999")


def test_an_unreachable_archive_is_a_field_error_not_a_crash(db, scenario, settings):
    settings.YIGONGTI_DIAGNOSTICS = {**settings.YIGONGTI_DIAGNOSTICS, "STORAGE": "orthanc",
                                     "ORTHANC_URL": "http://127.0.0.1:9"}
    from django.core.exceptions import ValidationError

    from yigongti.diagnostics import actions

    r = helpers.request(scenario, "DR-CHEST")
    with pytest.raises(ValidationError) as exc:
        actions.attach_study(scenario.village_doctor_a, r, filename="c.dcm", content=helpers.dicom())
    assert exc.value.error_dict["file"][0].code == "storage"
