"""Question and choice images: the upload checks and how a paper freezes them.

Uploads must be real PNG, JPEG, WebP or GIF images of at most 2 MB. Their
<img> markup is in quizzes/rendering.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

MAX_IMAGE_BYTES = 2 * 1024 * 1024
ALLOWED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}

IMAGE_TOO_LARGE = "The image is larger than 2 MB. Resize or compress it and upload it again."
IMAGE_WRONG_TYPE = (
    "The file is not a PNG, JPEG, WebP or GIF image (its content was checked, not its name)."
)
IMAGE_ALT_REQUIRED = (
    "Describe the image in its alternative text: trainees using a screen reader hear it."
)


def image_format(file) -> str | None:
    """Return the image format read from the file's content, or None if it is not an image."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_type = image.format
            image.verify()
    except Exception:  # Pillow raises many kinds for broken or hostile files
        return None
    finally:
        file.seek(position)
    return image_type


def validate_question_image(value) -> None:
    """Refuse uploads over 2 MB or whose content is not an allowed image type.

    Runs on new uploads only, so an image already stored is not re-read on every save.
    """
    if getattr(value, "_committed", True):
        return
    if value.size > MAX_IMAGE_BYTES:
        raise ValidationError(IMAGE_TOO_LARGE, code="image_too_large")
    if image_format(value) not in ALLOWED_FORMATS:
        raise ValidationError(IMAGE_WRONG_TYPE, code="image_wrong_type")


def paper_image_fields(obj) -> dict[str, str]:
    """The image of a question or choice as frozen on an attempt's paper (its storage name)."""
    return {"image": obj.image.name or "", "image_alt": obj.image_alt}


def paper_image(entry) -> tuple[str, str]:
    """Return the (URL, alt text) of a paper entry's image, or empty strings when it has none."""
    name = entry.get("image") or ""
    if not name:
        return "", ""
    return default_storage.url(name), entry.get("image_alt", "")
