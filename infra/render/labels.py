"""Chinese names of the product's codes, as printed in dossiers, exports and reports."""

from __future__ import annotations

CUSTOMER_TYPES = {
    "HOSPITAL": "医疗机构",
    "DISTRIBUTOR": "经销商",
    "AGENT": "代理商",
    "RETAILER": "零售药店",
    "MANUFACTURER": "生产企业",
    "OTHER": "其他",
}
CERTIFICATE_TYPES = {
    "business_license": "营业执照",
    "operation_license": "医疗器械经营许可证",
    "class2_filing": "第二类医疗器械经营备案凭证",
    "production_license": "医疗器械生产许可证",
    "registration_certificate": "医疗器械注册证",
    "medical_institution_license": "医疗机构执业许可证",
}
DOCUMENT_STATUSES = {
    "queued": "排队中",
    "processing": "处理中",
    "verified": "已核验",
    "needs_review": "待人工复核",
    "mismatch": "与客户不一致",
    "expired": "已过期",
    "rejected": "已驳回",
    "failed": "无法读取",
}
ONBOARDING_STATUSES = {
    "INCOMPLETE": "资料不全",
    "READY_FOR_REVIEW": "待审核",
    "APPROVED": "审核通过",
    "EXPIRED": "已过期，需复审",
    "SUSPENDED": "已暂停",
}
OUTCOMES = {"PASS": "通过", "WARN": "警示", "FAIL": "不通过"}
DECISIONS = {
    "ONBOARDING_APPROVED": "首营审核通过",
    "ONBOARDING_SUSPENDED": "首营暂停",
    "ONBOARDING_LAPSED": "审核失效（自动）",
    "DOCUMENT_APPROVED": "资料人工复核通过",
    "DOCUMENT_REJECTED": "资料人工复核驳回",
}
FIELDS = {
    "license_number": "证号",
    "holder_name": "持证单位",
    "uscc": "统一社会信用代码",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
    "issuing_authority": "发证机关",
    "scope_categories": "经营/生产范围",
    "device_classes": "器械类别",
}
GRADES = {"A": "A 优", "B": "B 良", "C": "C 中", "D": "D 差", "E": "E 高风险"}


def certificate_type(code: str | None) -> str:
    """The Chinese name of a certificate type code (lower or upper case)."""
    return CERTIFICATE_TYPES.get((code or "").lower(), code or "未识别")


BUCKETS = {
    "CURRENT": "未到期",
    "D1TO30": "逾期1-30天",
    "D31TO60": "逾期31-60天",
    "D61TO90": "逾期61-90天",
    "OVER90": "逾期90天以上",
}
ROLES = {
    "ADMIN": "管理员",
    "CREDIT_MANAGER": "信用经理",
    "FINANCE": "财务",
    "SALES": "销售",
    "ONBOARDING": "资质审核",
    "EXECUTIVE": "管理层",
    "VIEWER": "只读",
}
