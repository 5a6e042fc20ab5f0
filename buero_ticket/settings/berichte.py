"""The ``[berichte]`` section: per-person figures (off by default) and the staffing defaults."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Problems, section


@section(
    "berichte",
    order=60,
    template="""\
[berichte]
# Zahlen je Bearbeiterin/Bearbeiter in 'buero-ticket bericht'. Nur mit Zustimmung des
# Personalrats einschalten; der Bericht sagt dann im Kopf, dass er sie enthält.
personen = false
# Standardwerte für 'buero-ticket bericht personal' (Personalbedarf nach Erlang C):
# ziel = "75/30"                  # 75 % der Anrufe in 30 Sekunden annehmen (D115)
# bearbeitungszeit_sekunden = 240 # Gespräch plus Nacharbeit
# schwund = 0.3                   # Pausen, Urlaub, Krankheit, Schulung
# wochen = 6                      # so viele Wochen auswerten (4 bis 8)
""",
)
@dataclass(frozen=True)
class Berichte:
    personen: bool = False
    ziel: str = "75/30"
    bearbeitungszeit_sekunden: float = 240.0
    schwund: float = 0.3
    wochen: int = 6

    def problems(self) -> Problems:
        from ..berichte.personal import Ziel

        out: Problems = []
        try:
            Ziel.parse(self.ziel)
        except ValueError as exc:
            out.append(("ziel", str(exc)))
        if self.bearbeitungszeit_sekunden <= 0:
            out.append(("bearbeitungszeit_sekunden", "muss größer als 0 sein (z. B. 240)"))
        if not 0 <= self.schwund < 1:
            out.append(("schwund", "muss zwischen 0 und 0.95 liegen (z. B. 0.3 für 30 %)"))
        if not 4 <= self.wochen <= 8:
            out.append(("wochen", "erlaubt sind 4 bis 8 Wochen"))
        return out
