"""Pages of a list, cached with portal.cache: the count and the page's rows as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict

from portal.cache import cached_for


@dataclass
class ListPage:
    """What templates/pagination.html and the list templates read of a Django Page."""

    object_list: list
    number: int
    count: int
    num_pages: int
    estimated: bool = False
    """The count is PostgreSQL's estimate of a whole large table (shown as 約)."""

    @property
    def paginator(self) -> ListPage:
        return self

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def list_page(*, user, namespace: str, parts: tuple, rows: QuerySet, page: str | None, per_page: int) -> ListPage:
    """Page `page` of `rows` (a .values() queryset) as `user` sees it; `parts` must name
    everything else that shapes `rows` (the reader's access scope is added to the key here)."""

    def compute() -> ListPage:
        django_page = Paginator(rows, per_page).get_page(page)
        return ListPage(
            object_list=list(django_page.object_list),
            number=django_page.number,
            count=django_page.paginator.count,
            num_pages=django_page.paginator.num_pages,
        )

    return cached_for(user, namespace, (*parts, page or "1", per_page), compute)


def params_without_page(request) -> QueryDict:
    """The list's GET parameters less `page` (a mutable copy): what a link to another page, sort
    or export of the same list carries."""
    params = request.GET.copy()
    params.pop("page", None)
    return params


def query_without_page(request) -> str:
    """`params_without_page` as the query string the pagination links append their page to."""
    return params_without_page(request).urlencode()
