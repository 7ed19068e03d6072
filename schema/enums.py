"""GraphQL enums: the domain packages' own Enums, exposed without redefining them."""

import strawberry

from api.services.customers import CustomerType as _CustomerType
from scoring.roles import Role as _Role
from verification.types import CertificateType as _CertificateType
from verification.types import CheckOutcome as _CheckOutcome
from verification.types import DeviceClass as _DeviceClass
from verification.types import DocumentStatus as _DocumentStatus

Role = strawberry.enum(_Role, name="Role")
CustomerType = strawberry.enum(_CustomerType, name="CustomerType")
CertificateType = strawberry.enum(_CertificateType, name="CertificateType")
DeviceClass = strawberry.enum(_DeviceClass, name="DeviceClass")
DocumentStatus = strawberry.enum(_DocumentStatus, name="DocumentStatus")
CheckOutcome = strawberry.enum(_CheckOutcome, name="CheckOutcome")
