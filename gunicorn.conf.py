"""gunicorn reads this file from the working directory (the image's /app, a checkout's root)."""


def post_worker_init(worker):
    # Import the views and compile the templates before the first request (portal/warmup.py).
    from portal.warmup import warm_process

    worker.log.info("warmed up: %d templates compiled", warm_process())
