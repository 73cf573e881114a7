"""Study files: an ECG as PDF or image, images as DICOM (parsed with pydicom, previewed), kept by the local
storage by default; wrong files answer with a field error."""
import pytest
from django.core.exceptions import ValidationError

from yigongti.diagnostics import actions, dicom
from yigongti.diagnostics.storage import LocalStorage, open_file

from . import helpers

pytestmark = pytest.mark.django_db


def test_an_ecg_arrives_as_pdf_or_image(scenario):
    r = helpers.request(scenario)
    pdf = actions.attach_study(scenario.village_doctor_a, r, filename="ecg.pdf", content=helpers.ecg_pdf())
    img = actions.attach_study(scenario.village_doctor_a, r, filename="ecg.png", content=helpers.png())
    assert (pdf.kind, pdf.content_type, pdf.storage) == ("pdf", "application/pdf", "local")
    assert (img.kind, img.content_type) == ("image", "image/png")
    assert open_file(pdf.storage, pdf.key) == helpers.ecg_pdf()


def test_a_dicom_image_is_parsed_and_previewed(scenario):
    r = helpers.request(scenario, "DR-CHEST")
    content = helpers.dicom("DX", rows=600, cols=400)
    f = actions.attach_study(scenario.village_doctor_a, r, filename="chest.dcm", content=content)
    assert f.kind == "dicom" and f.study_uid and f.instance_uid and f.meta["Modality"] == "DX"
    assert "PatientName" not in f.meta and "PatientID" not in f.meta
    png = dicom.preview_png(open_file(f.storage, f.key), size=256)
    assert png.startswith(b"\x89PNG")
    import struct

    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (134, 200)  # every 3rd pixel: fits 256
    with pytest.raises(ValidationError) as exc:
        actions.attach_study(scenario.village_doctor_a, r, filename="again.dcm", content=content)
    assert exc.value.message_dict["file"]


@pytest.mark.parametrize("content, code", [(b"", "required"), (b"hello", "file_type"),
                                           (b"\0" * 128 + b"DICM" + b"\0" * 20, "bad_dicom")])
def test_wrong_files_are_refused(scenario, content, code):
    r = helpers.request(scenario, "DR-CHEST")
    with pytest.raises(ValidationError) as exc:
        actions.attach_study(scenario.village_doctor_a, r, filename="x", content=content)
    assert exc.value.error_dict["file"][0].code == code


def test_images_need_dicom_and_lab_needs_a_specimen(scenario):
    dr = helpers.request(scenario, "DR-CHEST")
    with pytest.raises(ValidationError):
        actions.attach_study(scenario.village_doctor_a, dr, filename="x.pdf", content=helpers.ecg_pdf())
    lab = helpers.request(scenario, "LAB-CBC")
    with pytest.raises(ValidationError):
        actions.attach_study(scenario.village_doctor_a, lab, filename="x.pdf", content=helpers.ecg_pdf())


def test_only_the_requester_or_the_centre_uploads(scenario):
    from django.core.exceptions import PermissionDenied

    r = helpers.request(scenario)
    with pytest.raises(PermissionDenied):
        actions.attach_study(scenario.village_doctor_b, r, filename="e.pdf", content=helpers.ecg_pdf())
    actions.attach_study(scenario.county_specialist, r, filename="e.pdf", content=helpers.ecg_pdf())


def test_local_storage_keeps_a_file_once_and_refuses_escapes(tmp_path):
    from yigongti.diagnostics.storage import StorageError

    store = LocalStorage(tmp_path)
    a = store.save(b"abc", kind="pdf", filename="a", content_type="application/pdf")
    b = store.save(b"abc", kind="pdf", filename="b", content_type="application/pdf")
    assert a.key == b.key and store.open(a.key) == b"abc"
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file
    with pytest.raises(StorageError):
        store.open("../../etc/passwd")
