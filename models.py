"""Import every table module, so SQLModel.metadata knows the whole schema."""

from accounts.models import ApiToken, User, UserFacility  # noqa: F401
from audit import AuditEntry, _attach_triggers  # noqa: F401
from dispatch.models import *  # noqa: F401,F403
from inventory.models import *  # noqa: F401,F403

# after every table is declared: the append-only triggers of the audit log and the ledger
_attach_triggers()
