from celery import shared_task


@shared_task
def disable_idle_and_expired_accounts() -> dict:
    """Daily: accounts idle for ACCOUNT_IDLE_DAYS and temporary accounts past their end date."""
    from accounts.services import disable_idle_and_expired

    return disable_idle_and_expired()
