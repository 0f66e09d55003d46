"""The command-centre board (挂图作战, issue 18): a live map of the posts, the day's figures,
the units' ranking and the open rectification orders, as a Telegram Mini App and on a wall
screen, plus /healthz, /metrics and a read-only Open311 endpoint for open data.

server.py serves it (health.py: /healthz), auth.py and viewers.py decide who sees which scope,
data.py reads the database (the board's one door to the services: one read of the city per
refresh interval, narrowed to each unit), standard.py builds the map, "today on post" and
ranking panels, orders.py the orders panel, panels.py is the registry panels plug into,
coords.py converts WGS-84 to GCJ-02 for Chinese tile providers, screens.py manages wall-screen
links, open311.py serves GeoReport v2.
"""
