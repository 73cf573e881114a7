"""Masking of document and phone numbers in lists and audit entries (issue brief: "3601**********0521").
No Django import."""


def mask_document(number: str | None) -> str:
    """Keep the first 4 and last 4 characters: 360199198001010011 -> 3601**********0011."""
    if not number:
        return ""
    number = str(number)
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number: 13812345678 -> 138****5678."""
    if not phone:
        return ""
    phone = str(phone)
    if len(phone) <= 7:
        return "*" * (len(phone) - 2) + phone[-2:] if len(phone) > 2 else "**"
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
