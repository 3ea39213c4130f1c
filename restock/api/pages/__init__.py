"""The web pages for planners and reps: server-rendered Jinja2 templates, sessions with
CSRF protection, errors shown as sentences. Route handlers gather data and call the
domain; what a page shows is computed in `views` (pure, tested without a browser)."""
