#!/bin/sh
# Static files as production serves them: collected with DEBUG off, so that the manifest
# storage (whitenoise.storage.CompressedManifestStaticFilesStorage) writes the hashed names
# and their manifest. Collected with DEBUG on, no manifest is written and every page of the
# production image answers 500. The Dockerfile and tests/ops/test_production_image.py run this.
set -eu
SECRET_KEY="${SECRET_KEY:-build-only-key-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz}" \
DEBUG=0 \
python manage.py collectstatic --noinput -v0
