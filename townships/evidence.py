"""Uploaded evidence (佐证材料): the file's type is read from its first bytes, never trusted from its name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import EvidenceKind

_SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
    "zip": (b"PK\x03\x04",),  # .docx is a zip container
}
_ALLOWED = {
    EvidenceKind.PHOTO: {"jpeg", "png"},
    EvidenceKind.MINUTES: {"jpeg", "png", "pdf", "zip"},
}
_EXTENSIONS = {"jpeg": {".jpg", ".jpeg"}, "png": {".png"}, "pdf": {".pdf"}, "zip": {".docx"}}


def sniff(head):
    for name, signatures in _SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return name
    return None


def validate_evidence(upload, *, kind, max_mb):
    """Refuse a file that is too big or is not what it claims (a photo that is not an image)."""
    if upload is None:
        return
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError({"evidence": _("文件过大：佐证材料不能超过 %(mb)s MB。") % {"mb": max_mb}})
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    detected = sniff(head)
    allowed = _ALLOWED.get(kind, set())
    if detected not in allowed:
        if kind == EvidenceKind.PHOTO:
            raise ValidationError({"evidence": _("照片必须是 JPG 或 PNG 图片，所传文件不是图片。")})
        raise ValidationError({"evidence": _("会议记录只能是 JPG、PNG 图片、PDF 或 Word（.docx）文件。")})
    name = (upload.name or "").lower()
    if not any(name.endswith(ext) for ext in _EXTENSIONS[detected]):
        raise ValidationError({"evidence": _("文件扩展名与文件内容不符。")})
