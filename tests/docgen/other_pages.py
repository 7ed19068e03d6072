"""Uploads that are not a licence at all: a blank page, an invoice, a letter.

Customers upload these by mistake (or to see what passes). They are rendered through
the same renderings as licences, so a reader meets them as text PDFs, clean scans,
degraded scans and phone photos. An invoice names the customer as the buyer, with its
credit code as the taxpayer number, as real ones do.
"""

from __future__ import annotations

import datetime
import random

from PIL import Image

from . import degrade, names
from .fields import random_date
from .layout import DocLayout, Row, format_date
from .names import CATALOGUE
from .pdf import blank_pdf, render_text_pdf
from .raster import encode, render_scan

_CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _capital_amount(amount: int) -> str:
    """A rough 大写 amount (the reader never needs it to be exact)."""
    return "".join(_CN_DIGITS[int(d)] for d in str(amount)) + "元整"


def invoice_layout(rng: random.Random, buyer: str | None, buyer_code: str | None) -> DocLayout:
    """An invoice (发票) from a supplier to ``buyer``."""
    place = rng.choice(names.PLACES)
    seller = names.company_name(rng, place)
    code = rng.choice(sorted(CATALOGUE))
    qty, price = rng.randint(1, 40), rng.randint(200, 9000)
    day = random_date(rng, datetime.date(2024, 1, 1), datetime.date(2025, 9, 30))
    style = rng.choice(("zh_padded", "iso"))
    rows = [
        Row("发票号码", "".join(rng.choice("0123456789") for _ in range(20))),
        Row("开票日期", format_date(day, style)),
        Row("购买方名称", buyer or names.company_name(rng, place)),
        Row("纳税人识别号", buyer_code or "91" + "".join(rng.choice("0123456789") for _ in range(16))),
        Row("项目名称", f"*医疗器械*{CATALOGUE[code]}"),
        Row("规格型号", f"{rng.choice('ABCMX')}{rng.randint(10, 990)}"),
        Row("数量", str(qty)),
        Row("单价", f"{price}.00"),
        Row("金额", f"{qty * price}.00"),
        Row("税率", rng.choice(("13%", "6%", "1%"))),
        Row("价税合计（大写）", _capital_amount(qty * price)),
        Row("销售方名称", seller),
    ]
    return DocLayout(
        title=rng.choice(("电子发票（普通发票）", "增值税普通发票", "销售发票")),
        subtitle=None,
        rows=rows,
        footer=[Row("开票人", names.person_name(rng)), Row("", format_date(day, style))],
        seal_text=seller,
        seal_bottom="发票专用章",
    )


def letter_layout(rng: random.Random, addressee: str | None) -> DocLayout:
    """A business letter (函) to ``addressee``."""
    place = rng.choice(names.PLACES)
    sender = names.company_name(rng, place)
    day = random_date(rng, datetime.date(2024, 1, 1), datetime.date(2025, 9, 30))
    subject = rng.choice(("年度采购合同续签", "货款结算", "产品价格调整", "送货安排"))
    rows = [
        Row("致", addressee or names.company_name(rng, place)),
        Row("事由", f"关于{subject}的函"),
        Row(
            "内容",
            f"贵司与我司合作多年，现就{subject}事宜函告如下：请于{format_date(day, 'zh')}前"
            f"与我司{names.person_name(rng)}联系确认，逾期将按原约定执行。感谢贵司一贯的支持。",
        ),
        Row("联系人", names.person_name(rng)),
        Row("联系电话", "1" + "".join(rng.choice("0123456789") for _ in range(10))),
        Row("地址", names.address(rng, place)),
    ]
    return DocLayout(
        title=rng.choice(("商务函", "工作联系函", "通知函")),
        subtitle=None,
        rows=rows,
        footer=[Row("", sender), Row("", format_date(day, "zh"))],
        seal_text=sender,
        seal_bottom=None,
    )


def unrelated_page(rendering: str, rng: random.Random, holder: str | None, uscc: str | None) -> bytes:
    """An invoice or a letter addressed to the customer, in ``rendering``."""
    layout = invoice_layout(rng, holder, uscc) if rng.random() < 0.5 else letter_layout(rng, holder)
    if rendering == "text_pdf":
        return render_text_pdf(layout, rng)
    if rendering in ("clean", "degraded", "photo"):
        return render_scan(layout, rng, rendering)  # type: ignore[arg-type]
    raise ValueError(f"unknown rendering {rendering!r}")


def blank_page(rendering: str, rng: random.Random) -> bytes:
    """A blank page: an empty PDF, a white scan, a scanned or photographed white sheet."""
    if rendering == "text_pdf":
        return blank_pdf()
    dpi = rng.uniform(200.0, 240.0)
    img = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), "white")
    if rendering == "clean":
        return encode(img.convert("L"), "PNG", dpi=dpi)
    if rendering == "degraded":
        return encode(degrade.scanner(img, rng), "JPEG", quality=rng.randint(50, 75), dpi=dpi)
    if rendering == "photo":
        return encode(degrade.phone_photo(img, rng), "JPEG", quality=rng.randint(70, 88))
    raise ValueError(f"unknown rendering {rendering!r}")
