"""`reader serve`: the reading and review apps as web pages, through textual-serve.

`access` decides who may connect (the host to bind, the token), `tabs` builds the command
line each browser tab runs as its own process, `server` is the web server itself. None of
it imports Textual: each tab's process does, through the command it runs.
"""
