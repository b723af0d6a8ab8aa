"""The current second-factor code of a demo account, for a developer without an
authenticator app (`make run`). Refused unless DEBUG is on."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "顯示示範帳號目前的雙因子驗證碼（僅限開發模式 DEBUG）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("只能在開發模式（DEBUG）使用：正式環境的驗證碼只在使用者的手機上")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} 沒有已啟用的驗證器")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
