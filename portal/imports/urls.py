from django.urls import path

from portal.imports import views
from portal.imports.kinds import ImportKind


def import_urls(kind: ImportKind, prefix: str) -> list:
    """The four pages of an import under `prefix` ("roster/import/"), with the kind's URL names."""
    extra = {"kind_name": kind.name}
    template = [path(f"{prefix}template.xlsx", views.import_template, extra, name=kind.urls.template)]
    return [
        *(template if kind.template_sheet else []),
        path(prefix, views.import_upload, extra, name=kind.urls.upload),
        path(f"{prefix}<int:upload_id>/", views.import_preview, extra, name=kind.urls.preview),
        path(f"{prefix}<int:upload_id>/confirm/", views.import_confirm, extra, name=kind.urls.confirm),
        path(f"{prefix}<int:upload_id>/discard/", views.import_discard, extra, name=kind.urls.discard),
    ]
