from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helhet.core.demo import seed_demo
from helhet.core.world import DEMO_PASSWORD
from helhet.organizations.models import User

PORTAL_LOGINS = ("ung", "forelder", "verge")


class Command(BaseCommand):
    """Load the demo data.

    1. Refuse unless HELHET_DEMO is on (demo users must never exist in production).
    2. Build the world (tenants, units, one user per role) and ~30 persons; idempotent.
    3. Print the demo logins.
    """

    help = "Load synthetic demo data (idempotent). Requires HELHET_DEMO=1."

    def handle(self, *args, **options):
        if not settings.HELHET_DEMO:
            raise CommandError("Demo data is only loaded when HELHET_DEMO=1.")
        world = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {DEMO_PASSWORD}):"))
        for user in world.users.values():
            roles = ", ".join(sorted({m.get_role_display() for m in user.memberships.all()}))
            self.stdout.write(f"  {user.username:<20} {user.get_full_name():<18} {roles}")
        # The portal's logins (helhet.core.demo.seed_portal): the person and representatives, "Min plan".
        for user in User.objects.filter(username__in=PORTAL_LOGINS).order_by("username"):
            self.stdout.write(f"  {user.username:<20} {user.get_full_name():<18} Min plan (/min-plan/)")
