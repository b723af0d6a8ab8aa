# The production image: gunicorn (web), celery (worker, beat). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_VAR_DIR=/var/lib/portal
# pango/harfbuzz/fonts: WeasyPrint; postgresql-client 15 (the server's major version): pg_dump
# and pg_restore for `manage.py backup` / `verify_backup` / `restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home portal \
 && mkdir -p /var/lib/portal/media /var/lib/portal/backups && chown -R portal /var/lib/portal

WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal portal
COPY schools schools
COPY budget budget
COPY devices devices
COPY training training
COPY reporting reporting
COPY accounts accounts
COPY api api
COPY templates templates
COPY static static
COPY docker docker
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir . \
 && sh docker/collectstatic.sh \
 && chown -R portal /var/lib/portal

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
