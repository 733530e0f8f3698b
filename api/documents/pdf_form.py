"""Read and fill a fillable PDF form (AcroForm) with pypdf: the user's copy of Form I-914.

Why the shape:

- **Checked before it is kept.** The upload must be a PDF (by its first bytes, not its name),
  readable, not password-protected, and carry fillable fields; each refusal says what is wrong
  and what to upload instead (:class:`FormFileError`).
- **Checkboxes take the copy's own "on" state.** Forms name it differently ("/1", "/Y", "/Yes");
  setting a state the box does not have leaves it unticked, so the state is read from the box's
  appearances.
- **Not flattened.** The lawyer must still be able to edit every field, so the form stays a form
  (viewers are asked to redraw the fields: ``NeedAppearances``).
- **The XFA copy of the form is removed.** USCIS forms carry an XFA description beside the
  AcroForm; viewers that prefer it would show the blank XFA form and hide the values filled in.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Final, cast

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import DictionaryObject, NameObject

from workflows.forms.i914_pdf import FieldKind, Fill

PDF_MAGIC: Final = b"%PDF-"
OFF: Final = "/Off"


class FormFileError(ValueError):
    """The uploaded file cannot be used as the form; the message says why and what to do."""


def _reader(data: bytes) -> PdfReader:
    if not data:
        raise FormFileError("The file is empty. Choose the blank fillable PDF of the form.")
    if not data.lstrip()[:5].startswith(PDF_MAGIC):
        raise FormFileError("This is not a PDF. Upload the fillable PDF of the form from uscis.gov.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise FormFileError(
                "This PDF is password-protected. Download the form again from uscis.gov and upload that copy."
            )
        len(reader.pages)  # parses the page tree: a damaged file fails here, not in the worker
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, FormFileError):
            raise
        raise FormFileError(
            "The PDF could not be read; it may be damaged. Download the form again and upload that copy."
        ) from exc
    return reader


def read_fields(data: bytes) -> dict[str, FieldKind]:
    """The fillable fields of a PDF form by name (each field under its own name and its full
    name), or :class:`FormFileError` if it is not a usable fillable PDF."""
    reader = _reader(data)
    try:
        fields = reader.get_fields() or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise FormFileError("The PDF's form fields could not be read. Download the form again.") from exc
    root = cast(DictionaryObject, reader.trailer["/Root"])
    if "/AcroForm" not in root or not fields:
        raise FormFileError(
            "This PDF has no fillable fields: it may be a scanned or printed copy. Upload the "
            "fillable PDF of the form as downloaded from uscis.gov."
        )
    kinds: dict[str, FieldKind] = {}
    for qualified, field in fields.items():
        kind = {"/Tx": FieldKind.TEXT, "/Btn": FieldKind.CHECKBOX}.get(str(field.get("/FT")), FieldKind.OTHER)
        kinds[qualified] = kind
        partial = field.get("/T")
        if partial is not None:
            kinds.setdefault(str(partial), kind)
    return kinds


def _on_states(writer: PdfWriter) -> dict[str, list[str]]:
    """Each checkbox's "on" states (the appearance names other than /Off), by field name."""
    states: dict[str, list[str]] = {}
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            parent = widget.get("/Parent")
            owner = widget if "/T" in widget else (parent.get_object() if parent is not None else widget)
            name = owner.get("/T")
            appearances = widget.get("/AP", DictionaryObject()).get("/N")
            if name is None or not isinstance(appearances, DictionaryObject):
                continue
            on = [str(key) for key in appearances if str(key) != OFF]
            states.setdefault(str(name), []).extend(
                state for state in on if state not in states.get(str(name), [])
            )
    return states


def fill(data: bytes, fills: Iterable[Fill]) -> bytes:
    """The form ``data`` with ``fills`` written in, still editable (not flattened)."""
    try:
        return _fill(_reader(data), fills)
    except (PyPdfError, KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, FormFileError):
            raise
        raise FormFileError(
            f"The form could not be filled ({exc}). Upload a fresh copy from uscis.gov."
        ) from exc


def _fill(reader: PdfReader, fills: Iterable[Fill]) -> bytes:
    writer = PdfWriter(clone_from=reader)
    states = _on_states(writer)
    values: dict[str, str] = {}
    for item in fills:
        if isinstance(item.value, str):
            values[item.field] = item.value
            continue
        on = states.get(item.field, [])
        values[item.field] = item.on_hint if item.on_hint in on else (on[0] if on else OFF)
    acro_form = cast(DictionaryObject, writer.root_object["/AcroForm"].get_object())
    if "/XFA" in acro_form:
        del acro_form[NameObject("/XFA")]
    if values:
        writer.update_page_form_field_values(None, values, auto_regenerate=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def field_values(data: bytes) -> Mapping[str, object]:
    """The filled values of a form by field name (for checking a filled copy)."""
    reader = PdfReader(io.BytesIO(data))
    return {
        str(field.get("/T", name)): field.get("/V") for name, field in (reader.get_fields() or {}).items()
    }
