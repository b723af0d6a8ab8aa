from celery import shared_task

from schools.services import roster_uploads_delete_abandoned


@shared_task
def delete_abandoned_roster_uploads() -> int:
    """Uploads nobody confirmed within a day are deleted with their files."""
    return roster_uploads_delete_abandoned(older_than_hours=24)
