from django.core.management.base import BaseCommand

from accounts import demo as accounts_demo
from billing import demo as billing_demo
from budgets import demo as budgets_demo
from notifications.services import reminders_dispatch
from projects import demo as projects_demo
from teams import demo as teams_demo


class Command(BaseCommand):
    help = "Loads a believable demo agency. Safe to run again: what exists is kept."

    def handle(self, *args, **options):
        people = teams_demo.seed()
        accounts_demo.seed()
        projects_demo.seed()
        budgets_demo.seed()
        billing_demo.seed()
        # What the demo makes due reaches the inbox now, not at the first sweep.
        reminders_dispatch()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Sign in as:"))
        for user in people:
            self.stdout.write(f"  {user.email:<28} {user.get_role_display():<20} {user.full_name}")
        self.stdout.write(f"  Password for all of them: {teams_demo.DEMO_PASSWORD}")
