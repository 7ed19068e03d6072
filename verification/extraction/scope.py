"""Business scope (经营范围 / 生产范围): catalogue category codes and device classes."""

from __future__ import annotations

import re

from verification.normalize import nfkc
from verification.types import DeviceClass

# 2017 catalogue codes 01-22, and the 2002 catalogue's 68xx codes still printed on
# older licences (6840 体外诊断试剂 above all).
_CODE_RE = re.compile(r"(?<![0-9])(0[1-9]|1[0-9]|2[0-2]|68[0-9]{2})(?![0-9])")
# After NFKC, Ⅱ/Ⅲ become II/III. OCR reads the Roman numerals as runs of I, l, 1 or |
# (and Ⅲ as 川), so a heading's class is the length of the run.
_CLASS_RE = re.compile(r"(?:第\s*)?(三|二|一|川|[Il1|]{1,3})\s*类(?=\s*(?:医|器|:|：|,|，|、|;|；|\(|$))")
_CLASS_OF = {
    "一": DeviceClass.I,
    "二": DeviceClass.II,
    "三": DeviceClass.III,
    "川": DeviceClass.III,
}
_BY_LENGTH = {1: DeviceClass.I, 2: DeviceClass.II, 3: DeviceClass.III}
_ORDER = {DeviceClass.I: 1, DeviceClass.II: 2, DeviceClass.III: 3}


def scope_categories(text: str) -> tuple[str, ...]:
    """Return the category codes listed in a scope text, sorted and without repeats.

    Years (2017, 2002 …) are not codes: only 01–22 and 68xx are accepted, each standing
    alone (not part of a longer number).
    """
    cleaned = re.sub(r"(?:19|20)\d{2}\s*(?:年|版)", " ", nfkc(text))
    codes = {m.group(1) for m in _CODE_RE.finditer(cleaned)}
    return tuple(sorted(codes, key=lambda c: (len(c), c)))


def class_headings(text: str) -> list[DeviceClass]:
    """Return the class of every class heading (第二类, 三类, Ⅱ类, III类 …) in order."""
    found = []
    for m in _CLASS_RE.finditer(text):
        token = m.group(1)
        found.append(_CLASS_OF.get(token) or _BY_LENGTH[len(token)])
    return found


def device_classes(text: str, *, licensed: bool = False) -> tuple[DeviceClass, ...]:
    """Return the device classes named in a text, sorted.

    Parameters:
        text: scope or class text.
        licensed: the text is a licence's or filing's scope. Class I needs no licence,
            so a class I heading there is a misread Ⅱ or Ⅲ; it becomes the higher class
            not yet listed (scopes list Ⅲ before Ⅱ).
    """
    headings = class_headings(nfkc(text))
    if licensed and len(headings) >= 2:
        # Only classes II and III are licensed, and a scope names each class once:
        # two headings are both classes, however the numerals were read (Ⅲ as IIIII).
        return (DeviceClass.II, DeviceClass.III)
    classes = {c for c in headings if not (licensed and c is DeviceClass.I)}
    if licensed:
        for c in headings:
            if c is DeviceClass.I:
                classes.add(DeviceClass.III if DeviceClass.III not in classes else DeviceClass.II)
    return tuple(sorted(classes, key=_ORDER.__getitem__))
