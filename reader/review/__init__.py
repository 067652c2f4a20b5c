"""`reader review`: compare annotators, walk their disagreements, adjudicate into gold.

No Textual here (the screen is `reader.ui.screens.review`):

- `loading`: SOURCEs (stores, exports) into documents and annotations by annotator;
- `store_view`: a lazy read-only view of a store, so big stores open at once;
- `disagreements`: clusters of overlapping spans where annotators differ, and majority;
- `adjudication`: decisions into the gold store, with undo, and the decisions sidecar;
- `workspace`: a review in progress (documents, disagreements, progress) for the screen.
"""
