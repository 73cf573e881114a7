"""Diagnostics test helpers: the catalog, a centre at the county hospital, synthetic study files made here
(DICOM with pydicom, an ECG as PDF or PNG) and requests made through the real actions.

Plain functions (no fixtures) so the isolation cases, the kpi fixture, the race test and the browser test
share them."""
from __future__ import annotations

import io
import struct
import zlib

from tests.referrals.helpers import resident  # noqa: F401  (a resident of a village, made by its doctor)


def centre(s):
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.catalog import ensure_catalog
    from yigongti.diagnostics.models import Centre

    ensure_catalog()
    found = Centre.objects.filter(institution=s.county_hospital).first()
    return found or actions.create_centre(None, institution=s.county_hospital, name="示范县医学影像与心电诊断中心",
                                          modalities=["ecg", "dr", "us", "ct", "lab"],
                                          header="示范县人民医院 · 县域医学影像与心电诊断中心", phone="0799-0000000")


def test_of(code: str):
    from yigongti.diagnostics.catalog import ensure_catalog
    from yigongti.diagnostics.models import Test

    ensure_catalog()
    return Test.objects.get(code=code)


def request(s, code="ECG12", *, patient=None, doctor=None, institution=None, priority="routine", **kw):
    from yigongti.diagnostics import actions

    c = centre(s)
    return actions.create_request(doctor or s.village_doctor_a, institution=institution or s.clinic_a,
                                  resident=patient or resident(s), test=test_of(code), centre=c,
                                  priority=priority, clinical_info=kw.pop("clinical_info", "胸闷2小时"), **kw)


def published(s, code="ECG12", *, impression="窦性心律；正常心电图。", **kw):
    """A request read and published by the county specialist."""
    from yigongti.diagnostics import actions

    r = request(s, code, **kw)
    if code.startswith("LAB"):
        sp = actions.collect_specimen(kw.get("doctor") or s.village_doctor_a, r)
        actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
        actions.mark_tested(s.county_specialist, sp)
    actions.claim_request(s.county_specialist, r)
    actions.save_report(s.county_specialist, r, findings="所见", impression=impression)
    actions.sign_report(s.county_specialist, r)
    return actions.publish_report(s.county_specialist, r)


def ecg_pdf(text: str = "ECG") -> bytes:
    """A minimal one-page PDF (what a township ECG cart exports)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def png(width: int = 8, height: int = 4) -> bytes:
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([(x * 30) % 256 for x in range(width)]) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def dicom(modality: str = "DX", *, rows: int = 64, cols: int = 48, study_uid: str | None = None,
          series_uid: str | None = None, patient_id: str = "SYNTH-0001") -> bytes:
    """A synthetic uncompressed 16-bit MONOCHROME2 instance with a gradient (no real person)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.Modality = modality
    ds.PatientName = "SYNTHETIC^TEST"
    ds.PatientID = patient_id
    ds.StudyDate = "20260302"
    ds.StudyTime = "080000"
    ds.StudyDescription = "CHEST PA"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = b"".join(struct.pack("<H", (x * 4095 // max(cols - 1, 1))) for _ in range(rows)
                            for x in range(cols))
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()
