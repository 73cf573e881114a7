"""DICOM parsing (pydicom) and a small grey-scale PNG preview rendered without numpy or Pillow.

``parse(content)`` reads the identifiers the platform links on (study, series and instance UIDs, modality,
study date, image size) and never the patient's name or ID (the request carries the resident). ``preview_png``
renders the first frame of an uncompressed monochrome image scaled down to fit ``size`` pixels, windowed by
the file's own window centre/width or else by its min/max; compressed images have no preview (None)."""
from __future__ import annotations

import io
import struct
import zlib

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

UNCOMPRESSED = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}
META_FIELDS = ("Modality", "StudyDate", "StudyTime", "StudyDescription", "SeriesDescription", "BodyPartExamined",
               "Rows", "Columns", "NumberOfFrames", "Manufacturer")


class NotDicom(ValueError):
    pass


def read(content: bytes, *, pixels: bool = False):
    try:
        return pydicom.dcmread(io.BytesIO(content), stop_before_pixels=not pixels)
    except (InvalidDicomError, EOFError, struct.error, ValueError, TypeError, KeyError) as exc:
        raise NotDicom(str(exc)) from None


def parse(content: bytes) -> dict:
    ds = read(content)
    uids = {}
    for name in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        value = str(ds.get(name, "") or "")
        if not value or not UID(value).is_valid:
            raise NotDicom(f"missing or invalid {name}")
        uids[name] = value
    meta = {}
    for name in META_FIELDS:
        value = ds.get(name)
        if value not in (None, ""):
            meta[name] = int(value) if isinstance(value, int) else str(value)
    tsyntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    meta["TransferSyntaxUID"] = str(tsyntax or "")
    return {"study_uid": uids["StudyInstanceUID"], "series_uid": uids["SeriesInstanceUID"],
            "instance_uid": uids["SOPInstanceUID"], "meta": meta}


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def preview_png(content: bytes, size: int = 256) -> bytes | None:
    try:
        ds = read(content, pixels=True)
    except NotDicom:
        return None
    tsyntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or "1.2.840.10008.1.2")
    photometric = str(ds.get("PhotometricInterpretation", ""))
    bits = int(ds.get("BitsAllocated", 0) or 0)
    rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    if (tsyntax not in UNCOMPRESSED or photometric not in ("MONOCHROME1", "MONOCHROME2")
            or int(ds.get("SamplesPerPixel", 1) or 1) != 1 or bits not in (8, 16) or not rows or not cols
            or "PixelData" not in ds):
        return None
    data = ds.PixelData
    step = bits // 8
    if len(data) < rows * cols * step:
        return None
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    fmt = {(1, False): "B", (1, True): "b", (2, False): "H", (2, True): "h"}[(step, signed)]
    endian = ">" if tsyntax == "1.2.840.10008.1.2.2" else "<"
    stride = max(1, -(-max(rows, cols) // size))
    out_w, out_h = -(-cols // stride), -(-rows // stride)
    values: list[list[int]] = []
    for y in range(0, rows, stride):
        line = struct.unpack_from(f"{endian}{cols}{fmt}", data, y * cols * step)
        values.append(list(line[::stride]))
    slope, intercept = float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0)
    centre, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if centre is not None and width is not None:
        centre = float(centre[0] if isinstance(centre, pydicom.multival.MultiValue) else centre)
        width = float(width[0] if isinstance(width, pydicom.multival.MultiValue) else width)
        lo, hi = centre - width / 2, centre + width / 2
    else:
        flat = [v * slope + intercept for line in values for v in line]
        lo, hi = min(flat), max(flat)
    span = (hi - lo) or 1.0
    invert = photometric == "MONOCHROME1"
    out_rows = []
    for line in values:
        row = bytearray()
        for v in line:
            g = int(min(255, max(0, (v * slope + intercept - lo) * 255 / span)))
            row.append(255 - g if invert else g)
        out_rows.append(bytes(row))
    return _png(out_w, out_h, out_rows)
