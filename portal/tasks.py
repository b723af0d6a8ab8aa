from celery import shared_task

from portal.uploads import uploads_delete_abandoned


@shared_task
def delete_abandoned_uploads() -> int:
    """Uploads nobody confirmed within a day are deleted with their files."""
    return uploads_delete_abandoned(older_than_hours=24)
