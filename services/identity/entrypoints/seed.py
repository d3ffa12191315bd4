"""Demo accounts for local use (`motcua seed --demo`): an admin, an auditor and officers.

Idempotent: an account whose email exists is left as it is. The passwords are
written in README.md ("Demo accounts") and are for local demos only.
"""

from __future__ import annotations

from services.identity.application.staff import StaffAccount, create_staff
from services.identity.bootstrap import account_store, build_identity, open_store
from services.identity.domain.errors import EmailTakenError
from services.identity.domain.passwords import DEMO_PASSWORD
from services.identity.domain.validation import normalise_email
from services.identity.settings import IdentitySettings
from shared.events.envelope import Actor

OFFICER_ROLES = ("receiver", "processor", "approver")


def demo_accounts() -> list[StaffAccount]:
    accounts = [
        StaffAccount("admin", "admin@motcua.local", "Quản trị hệ thống", DEMO_PASSWORD),
        StaffAccount("auditor", "thanhtra@motcua.local", "Thanh tra viên", DEMO_PASSWORD),
    ]
    names = {
        "receiver": "Cán bộ tiếp nhận",
        "processor": "Cán bộ xử lý",
        "approver": "Lãnh đạo phê duyệt",
        "agency_admin": "Quản trị đơn vị",
    }
    for agency, slug in (("NB.HOALU", "hoalu"), ("NB.STP", "stp")):
        for role in (*OFFICER_ROLES, "agency_admin"):
            accounts.append(
                StaffAccount(
                    "officer",
                    f"{role.replace('_', '')}.{slug}@motcua.local",
                    f"{names[role]} {agency}",
                    DEMO_PASSWORD,
                    agency,
                    (role,),
                )
            )
    return accounts


async def seed_demo(settings: IdentitySettings | None = None) -> str:
    settings = (settings or IdentitySettings()).model_copy(update={"demo": True})
    pool = await open_store(settings)
    try:
        ctx = build_identity(settings, account_store(pool))
        seeder = Actor(id="seed", role="system")
        created = 0
        for account in demo_accounts():
            if await ctx.store.by_email_key(normalise_email(account.email)[1]):
                continue
            try:
                await create_staff(ctx, seeder, account)
                created += 1
            except EmailTakenError:
                continue  # created concurrently: the same outcome
        return f"{created} demo account(s) created, {len(demo_accounts()) - created} existed"
    finally:
        await pool.close()
