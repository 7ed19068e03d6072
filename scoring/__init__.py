"""Pure credit-risk logic: receivables math, scorecard, limits, warnings and the order gate.

Nothing here does I/O or reads a clock: pass ``as_of`` and a ``Policy`` (load it once
at the edge with ``load_policy``). Money is ``decimal.Decimal``.

Public API
----------
Enums (member names = GraphQL names): ``Severity`` (orderable), ``RiskGrade``,
``HoldReason``, ``Role``, ``QualificationStatus``, ``LimitDecisionKind``.

Errors: ``ScoringError`` > ``PolicyError``, ``LedgerError`` > ``UnknownInvoiceError``.

Policy: ``Policy``, ``parse_policy(mapping)``, ``load_policy(path=None)``.

Ledger: ``Invoice``, ``PaymentAllocation``, ``AgingBuckets``, ``DbtSummary``,
``allocate_payment``, ``apply_allocations``, ``aging``, ``max_days_overdue``,
``days_beyond_terms``.

Scorecard: ``CustomerSnapshot``, ``Factor``, ``Assessment``, ``assess``, ``grade_for``,
``recommend_limit``.

Limits: ``LimitDecision``, ``decide_limit_change``, ``auto_increase_step``.

Qualification: ``Certificate``, ``qualification_status``, ``license_days_to_expiry``,
``has_expired_license``, ``category_in_scope``.

Warnings: ``RiskSignals``, ``WarningSpec``, ``evaluate_warnings``, ``risk_signals``.

Gate: ``OrderRequestLine``, ``OrderRequest``, ``GateCustomer``, ``GateDecision``,
``decide_order``, ``line_hold_reasons``.
"""

from common.roles import Role
from scoring.codes import (
    HoldReason,
    LimitDecisionKind,
    QualificationStatus,
    RiskGrade,
    Severity,
)
from scoring.errors import LedgerError, PolicyError, ScoringError, UnknownInvoiceError
from scoring.gate import (
    GateCustomer,
    GateDecision,
    OrderRequest,
    OrderRequestLine,
    decide_order,
    line_hold_reasons,
)
from scoring.ledger import (
    AgingBuckets,
    DbtSummary,
    Invoice,
    PaymentAllocation,
    aging,
    allocate_payment,
    apply_allocations,
    days_beyond_terms,
    max_days_overdue,
)
from scoring.limits import LimitDecision, auto_increase_step, decide_limit_change
from scoring.policy import Policy, load_policy, parse_policy
from scoring.qualification import (
    Certificate,
    category_in_scope,
    has_expired_license,
    license_days_to_expiry,
    qualification_status,
)
from scoring.scorecard import (
    Assessment,
    CustomerSnapshot,
    Factor,
    assess,
    grade_for,
    recommend_limit,
)
from scoring.warnings import RiskSignals, WarningSpec, evaluate_warnings, risk_signals

__all__ = [
    "AgingBuckets",
    "Assessment",
    "Certificate",
    "CustomerSnapshot",
    "DbtSummary",
    "Factor",
    "GateCustomer",
    "GateDecision",
    "HoldReason",
    "Invoice",
    "LedgerError",
    "LimitDecision",
    "LimitDecisionKind",
    "OrderRequest",
    "OrderRequestLine",
    "PaymentAllocation",
    "Policy",
    "PolicyError",
    "QualificationStatus",
    "RiskGrade",
    "RiskSignals",
    "Role",
    "ScoringError",
    "Severity",
    "UnknownInvoiceError",
    "WarningSpec",
    "aging",
    "allocate_payment",
    "apply_allocations",
    "assess",
    "auto_increase_step",
    "category_in_scope",
    "days_beyond_terms",
    "decide_limit_change",
    "decide_order",
    "evaluate_warnings",
    "grade_for",
    "has_expired_license",
    "license_days_to_expiry",
    "line_hold_reasons",
    "load_policy",
    "max_days_overdue",
    "parse_policy",
    "qualification_status",
    "recommend_limit",
    "risk_signals",
]
