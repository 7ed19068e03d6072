"""E-mail templates: packaged Chinese texts a deployment can replace file by file.

A template is a text file: the first line ``Subject: ...``, a blank line, then the body,
with ``$name`` placeholders (``string.Template``). A file of the same name in the
deployment's directory (``MEDCREDIT_TEMPLATES_DIR``) replaces the packaged one.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from common.errors import MedcreditError

# Warning kinds as a Chinese reader names them in a subject line.
KIND_NAMES = {
    "OVERDUE_REMINDER": "逾期提醒",
    "COLLECTION": "催收",
    "SEVERE_OVERDUE": "严重逾期",
    "LICENSE_EXPIRING": "资质即将到期",
    "LICENSE_EXPIRED": "资质过期",
    "SCORE_DROP": "评分下降",
    "LOW_GRADE": "信用等级低",
    "BROKEN_PROMISE": "承诺付款未兑现",
    "LAWSUIT": "诉讼",
    "NEGATIVE_NEWS": "负面新闻",
    "ADMINISTRATIVE_PENALTY": "行政处罚",
    "EXTERNAL_SIGNAL": "外部风险信号",
}
SEVERITY_NAMES = {"INFO": "提示", "LOW": "低", "MEDIUM": "中", "HIGH": "高", "CRITICAL": "严重"}


class TemplateError(MedcreditError, ValueError):
    """A template file is malformed or names a placeholder we do not fill."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


def _text(name: str, override_dir: Path | None) -> str:
    if override_dir is not None:
        candidate = override_dir / f"{name}.txt"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return resources.files("notifications").joinpath("templates", f"{name}.txt").read_text(encoding="utf-8")


def render(name: str, values: dict[str, str], override_dir: Path | None = None) -> Rendered:
    """Fill template ``name`` with ``values``.

    Raises:
        TemplateError: no ``Subject:`` line, or a placeholder without a value.
    """
    text = _text(name, override_dir)
    head, _, body = text.partition("\n")
    if not head.startswith("Subject:"):
        raise TemplateError(f"template {name}: the first line must be 'Subject: ...'")
    try:
        subject = Template(head.removeprefix("Subject:").strip()).substitute(values)
        filled = Template(body.lstrip("\n")).substitute(values)
    except (KeyError, ValueError) as exc:
        raise TemplateError(f"template {name}: {exc}") from None
    return Rendered(subject=subject, body=filled)
