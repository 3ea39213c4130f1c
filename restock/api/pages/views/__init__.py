"""What the pages show, computed by pure functions of the data (no I/O, no HTTP): queue
order and urgency, data age, chart series, route maps, KPI charts, times in words.
Templates only lay these out."""
