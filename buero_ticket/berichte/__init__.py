"""Reports over Vorgänge: one computation (plain functions), several outputs (text, xlsx, json).

- :mod:`.faelle` reads what a report needs from a Vorgang, defensively (a field that the data model
  does not record yet is "nicht erfasst", never zero);
- :mod:`.kennzahlen` computes a :class:`.modell.Bericht` (sections → tables → figures, each with its
  definition key from :mod:`.definitionen`);
- :mod:`.ausgabe_text`, :mod:`.ausgabe_xlsx`, :mod:`.ausgabe_json` render that one model;
- :mod:`.erlang` and :mod:`.personal`: the Erlang C staffing estimate.
"""
