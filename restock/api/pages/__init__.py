"""Server-rendered pages: a planner's order queue and a rep's triggers, no JavaScript."""
