"""What a reminder says, per recipient and channel.

A survivor's message is neutral, whoever might read it over their shoulder: their first name or
chosen codename, "you have a date coming up — sign in to see the details", the organisation's
name only if they allowed it, and nothing about trafficking, immigration or the legal process.
Staff messages name the case by its reference (a pseudonym) and the deadline by its rule id and
date; the details stay behind the sign-in, since mail passes through systems we do not control.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from typing import Final

from api.contact_preferences.service import ContactPreferences

# One entry per language a survivor may choose (api.contact_preferences.service.LANGUAGES, the
# same as web.i18n.LANGUAGES); tests/api/deadlines/test_reminder_texts.py checks every language has
# every text with the same placeholders. Kept here as data because api/ must not import the web
# catalogues. Like those catalogues, the translations await review by a professional translator.
SURVIVOR_TEXT: Final = {
    "en": {
        "subject": "You have a date coming up",
        "greeting": "Hello {name},",
        "greeting_plain": "Hello,",
        "body": "You have a date coming up — sign in to see the details.",
        "sign_off": "From {organisation}",
    },
    "es": {
        "subject": "Tiene una fecha próxima",
        "greeting": "Hola, {name}:",
        "greeting_plain": "Hola:",
        "body": "Tiene una fecha próxima — inicie sesión para ver los detalles.",
        "sign_off": "De parte de {organisation}",
    },
    "sq": {
        "subject": "Keni një datë që po afrohet",
        "greeting": "Përshëndetje, {name},",
        "greeting_plain": "Përshëndetje,",
        "body": "Keni një datë që po afrohet — hyni për të parë detajet.",
        "sign_off": "Nga {organisation}",
    },
    "vi": {
        "subject": "Bạn có một ngày sắp tới",
        "greeting": "Xin chào {name},",
        "greeting_plain": "Xin chào,",
        "body": "Bạn có một ngày sắp tới — hãy đăng nhập để xem chi tiết.",
        "sign_off": "Từ {organisation}",
    },
    "ro": {
        "subject": "Aveți o dată care se apropie",
        "greeting": "Bună ziua, {name},",
        "greeting_plain": "Bună ziua,",
        "body": "Aveți o dată care se apropie — conectați-vă ca să vedeți detaliile.",
        "sign_off": "Din partea {organisation}",
    },
    "ar": {
        "subject": "لديك موعد قريب",
        "greeting": "مرحبًا {name}،",
        "greeting_plain": "مرحبًا،",
        "body": "لديك موعد قريب — سجّل الدخول لترى التفاصيل.",
        "sign_off": "من {organisation}",
    },
}


@dataclass(frozen=True)
class Text:
    """A message's title and body."""

    title: str
    body: str


def survivor_text(preferences: ContactPreferences, organisation_name: str, sign_in_url: str) -> Text:
    """The survivor's neutral message in their language."""
    words = SURVIVOR_TEXT.get(preferences.language, SURVIVOR_TEXT["en"])
    greeting = (
        words["greeting"].format(name=preferences.name) if preferences.name else words["greeting_plain"]
    )
    lines = [greeting, "", words["body"]]
    if sign_in_url:
        lines.append(sign_in_url)
    if preferences.org_name_allowed and organisation_name:
        lines += ["", words["sign_off"].format(organisation=organisation_name)]
    return Text(title=words["subject"], body="\n".join(lines))


def staff_text(
    *, purpose: str, reference: str, rule_id: str, label: str, due: date, days_before: int | None, link: str
) -> Text:
    """An advocate's or supervisor's message (``label`` is used in-app only, see the module)."""
    if purpose == "escalation":
        title = f"Needs attention: a deadline of case {reference} on {due.isoformat()}"
        body = (
            f"The deadline {rule_id} of case {reference} falls on {due.isoformat()} and nobody has "
            "acknowledged it yet (or it has passed). Please check that someone has it in hand."
        )
    else:
        when = "today" if days_before == 0 else f"in {days_before} day{'s' if days_before != 1 else ''}"
        title = f"Deadline {when}: case {reference} ({due.isoformat()})"
        body = f"The deadline {rule_id} of case {reference} falls on {due.isoformat()} ({when})."
    if label:
        body += f"\n{label}"
    if link:
        body += f"\nSee it in Redress: {link}"
    return Text(title=title, body=body)


def email(to: str, text: Text, *, message_key: str, sender_domain: str) -> EmailMessage:
    """An email of ``text`` whose Message-ID is derived from the reminder, so a copy re-sent to
    staff after a crash is recognisable as the same message."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = text.title
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<reminder.{message_key}@{sender_domain or 'redress.invalid'}>"
    message["X-Redress-Reminder"] = message_key
    message.set_content(text.body)
    return message
