from __future__ import annotations

from urllib.parse import urlsplit


def walk(client, url: str, *, limit: int | None = None, max_pages: int = 500) -> list[dict]:
    """Every item of a list resource, following `next` to the end."""
    if limit:
        url += ("&" if "?" in url else "?") + f"limit={limit}"
    items = []
    for _ in range(max_pages):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        items.extend(body["results"])
        if not body["next"]:
            return items
        parts = urlsplit(body["next"])
        url = f"{parts.path}?{parts.query}"
    raise AssertionError(f"{url}: more than {max_pages} pages")
