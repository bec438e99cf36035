"""Import every table module, so SQLModel.metadata knows the whole schema."""

from accounts.models import ApiToken, User, UserFacility  # noqa: F401
from inventory.models import *  # noqa: F401,F403
