"""Question and choice images: the upload checks and how a paper freezes them.

Uploads must be real PNG, JPEG, WebP or GIF images of at most 2 MB. They are
stored under random names (the uploader's own file name could say who or what
is in the picture, and would be public in the image's address); the original
name is kept only as metadata on the question or choice. Their <img> markup is
in quizzes/rendering.py. Migrations import validate_question_image,
question_image_path and choice_image_path by this module's path: keep them here.
"""

from __future__ import annotations

import os
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

MAX_IMAGE_BYTES = 2 * 1024 * 1024
ALLOWED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}
# The stored file's extension follows its content, so the web server sends the right type.
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
# 128 random bits: an image's address cannot be guessed from another's.
RANDOM_NAME_BYTES = 16
ORIGINAL_NAME_MAX_LENGTH = 255
_SAFE_EXTENSION = re.compile(r"[a-z0-9]{1,8}")

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


def _stored_extension(upload, filename: str) -> str:
    image_type = image_format(upload) if upload is not None else None
    if image_type in EXTENSIONS:
        return EXTENSIONS[image_type]
    extension = os.path.splitext(filename)[1].lstrip(".").lower()
    return extension if _SAFE_EXTENSION.fullmatch(extension) else "bin"


def _random_image_path(folder: str, instance, filename: str) -> str:
    image = getattr(instance, "image", None)
    # An upload not yet stored is read for its type; a file saved in code goes by its name.
    upload = image.file if image and not getattr(image, "_committed", True) else None
    month = timezone.now().strftime("%Y/%m")
    name = secrets.token_hex(RANDOM_NAME_BYTES)
    return f"{folder}/{month}/{name}.{_stored_extension(upload, filename)}"


def question_image_path(instance, filename: str) -> str:
    """Where a question's image is stored: questions/<year>/<month>/<random>.<type>."""
    return _random_image_path("questions", instance, filename)


def choice_image_path(instance, filename: str) -> str:
    """Where a choice's image is stored: choices/<year>/<month>/<random>.<type>."""
    return _random_image_path("choices", instance, filename)


def image_original_name(obj) -> str | None:
    """The uploader's file name of a new, not yet stored image; "" when the image is cleared.

    None when the image is unchanged (already stored), so its recorded name stands.
    """
    image = obj.image
    if not image:
        return ""
    if getattr(image, "_committed", True):
        return None
    name = os.path.basename(image.name or "")
    # Django drops unprintable characters from uploaded names; files made in code may not.
    name = "".join(char for char in name if char.isprintable())
    return name[:ORIGINAL_NAME_MAX_LENGTH]


def paper_image_fields(obj) -> dict[str, str]:
    """The image of a question or choice as frozen on an attempt's paper (its storage name)."""
    return {"image": obj.image.name or "", "image_alt": obj.image_alt}


def paper_image(entry) -> tuple[str, str]:
    """Return the (URL, alt text) of a paper entry's image, or empty strings when it has none."""
    name = entry.get("image") or ""
    if not name:
        return "", ""
    return default_storage.url(name), entry.get("image_alt", "")
