"""The Textual user interface: the reading app, the review app, their screens and widgets.
The only package that imports Textual; it holds no business rules."""
