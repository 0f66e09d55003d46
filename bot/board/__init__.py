"""The command-centre board (挂图作战, issue 18): a live map of the posts, the day's figures and
the units' ranking, as a Telegram Mini App and on a wall screen, plus /healthz and /metrics.

server.py serves it (health.py: /healthz), auth.py and viewers.py decide who sees which scope,
data.py reads the database (the board's one door to the services), standard.py builds the map,
"today on post" and ranking panels, panels.py is the registry later panels plug into, coords.py
converts WGS-84 to GCJ-02 for Chinese tile providers, screens.py manages wall-screen links.
"""
