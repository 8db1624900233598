"""Candidate facts from documents, with provenance, and their review into ``data/``.

Small components, each with one job, composed by ``pipeline.Extractor``:

- ``readers``: txt / md / html / pdf -> text (``ReadError`` on bad input)
- ``script``: traditional -> simplified, same length (offsets stay valid)
- ``sentences``: sentence and paragraph spans
- ``gazetteer``: every node name and alias of the graph, Aho-Corasick, longest match
- ``wordfreq``: common words for word-boundary checks
- ``recognize``: context checks and place disambiguation (``PlaceIndex``)
- ``patterns``: documented relation patterns, each with an id and an example
- ``attributes``: numbers with indicator, year and unit
- ``candidates``: the JSONL candidate format with stable ids
- ``accept``: kept candidates -> ``data/relations/accepted.csv`` and ``data/statistics.csv``
- ``score``: precision / recall / F1 against ``tests/gold/``
"""
