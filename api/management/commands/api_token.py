"""`manage.py api_token USERNAME [--name NAME]`: a new personal API token for the user,
printed alone on one line (for scripts: TOKEN=$(manage.py api_token moe))."""

from django.core.management.base import BaseCommand, CommandError

from api.tokens import TokenRefused, token_create
from portal.models import User


class Command(BaseCommand):
    help = "為使用者建立一把 API 權杖，並以一行印出（只顯示這一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="帳號")
        parser.add_argument("--name", default="命令列建立", help="權杖名稱（用途）")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"找不到帳號 {username}")
        try:
            _token, raw = token_create(user=user, name=name)
        except TokenRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(raw)
