"""Every figure's definition, one line each, by stable key (json output, README, xlsx "Definitionen")."""

from __future__ import annotations

DEFINITIONEN: dict[str, str] = {
    "eingang.anzahl": "Vorgänge, deren Eingang im Zeitraum liegt (Datum des Eingangs, Ortszeit).",
    "erledigt.anzahl": "Vorgänge, die im Zeitraum erledigt wurden (Zeitpunkt „erledigt“ im Zeitraum, "
    "auch wenn sie inzwischen archiviert sind).",
    "bestand.offen": "Vorgänge, die am letzten Tag des Zeitraums schon eingegangen und noch nicht erledigt waren; "
    "Spalte nach heutigem Status, „inzwischen erledigt“ = nach dem Zeitraum erledigt.",
    "bestand.alter": "Alter eines offenen Vorgangs = Kalendertage vom Eingang bis zum letzten Tag des Zeitraums "
    "(Gruppen 0–2, 3–7, 8–14, 15–30, über 30 Tage).",
    "bestand.frist_ueberschritten": "Am letzten Tag des Zeitraums offene Vorgänge, deren Frist vor diesem Tag lag.",
    "bestand.wiedervorlage_ueberschritten": "Am letzten Tag des Zeitraums offene Vorgänge, deren Wiedervorlage "
    "vor diesem Tag lag.",
    "erstkontakt.basis": "Im Zeitraum eingegangene Vorgänge, bei denen festgehalten ist, ob sie im Erstkontakt "
    "gelöst wurden.",
    "erstkontakt.geloest": "Davon beim ersten Kontakt abschließend beantwortet – ohne Weiterleitung und ohne "
    "Rückruf (D115: eine Weiterleitung ist keine Lösung).",
    "erstkontakt.quote": "Erstlösungsquote = im Erstkontakt gelöst ÷ Basis (D115-Ziel: mindestens 65 %).",
    "wissen.anteil": "Anteil der im Zeitraum erledigten Vorgänge, deren Antwort einen Wissensartikel nennt.",
    "wissen.ohne_artikel": "Im Zeitraum erledigte Vorgänge ohne Wissensartikel (Kandidaten für neue Artikel).",
    "wissen.artikel": "Wie oft ein Wissensartikel bei im Zeitraum erledigten Vorgängen verwendet wurde "
    "(die 10 häufigsten).",
    "weiterleitung.anzahl": "Weiterleitungen an die Stelle im Zeitraum (ein Vorgang kann mehrmals "
    "weitergeleitet sein).",
    "weiterleitung.rueckmeldung_anteil": "Anteil der Weiterleitungen im Zeitraum mit Rückmeldung an die "
    "Bürgerin / den Bürger innerhalb von 24 Servicestunden; ohne Rückmeldung zählt eine Weiterleitung als "
    "verspätet, sobald 24 Servicestunden vorbei sind, vorher gar nicht.",
    "weiterleitung.rueckmeldung_median": "Median der Servicestunden von der Weiterleitung bis zur ersten "
    "Rückmeldung an die Bürgerin / den Bürger (nur Weiterleitungen mit Rückmeldung).",
    "weiterleitung.antwort_median": "Median der Servicestunden von der Weiterleitung bis zur Antwort der Stelle "
    "(nur beantwortete Weiterleitungen).",
    "weiterleitung.antwort_p90": "90-%-Wert der Servicestunden von der Weiterleitung bis zur Antwort der Stelle: "
    "90 % der Antworten kamen höchstens so spät.",
    "zeit.erste_antwort_anzahl": "Im Zeitraum eingegangene Vorgänge mit einer Antwort an die Bürgerin / den Bürger "
    "(gesendete Antwort, Rückmeldung nach einer Weiterleitung oder im Erstkontakt gelöst).",
    "zeit.erste_antwort_median": "Median der Servicestunden vom Eingang bis zur ersten Antwort "
    "(im Erstkontakt gelöst = 0).",
    "zeit.erste_antwort_p90": "90-%-Wert der Servicestunden vom Eingang bis zur ersten Antwort.",
    "zeit.erledigung_anzahl": "Im Zeitraum erledigte Vorgänge (Grundlage der Erledigungszeit).",
    "zeit.erledigung_median": "Median der Servicestunden vom Eingang bis „erledigt“ der im Zeitraum erledigten "
    "Vorgänge.",
    "zeit.erledigung_p90": "90-%-Wert der Servicestunden vom Eingang bis „erledigt“.",
    "person.eingang": "Im Zeitraum eingegangene Vorgänge, die heute dieser Person zugewiesen sind.",
    "person.erledigt": "Im Zeitraum erledigte Vorgänge, die dieser Person zugewiesen sind.",
    "person.offen": "Am Ende des Zeitraums offene Vorgänge, die dieser Person zugewiesen sind.",
    "person.erledigung_median": "Median der Servicestunden vom Eingang bis „erledigt“ bei dieser Person.",
    # staffing (bericht personal)
    "personal.anrufe": "Prognose der Anrufe/Vorsprachen je 30 Minuten: Mittelwert desselben Wochentags über die "
    "letzten Wochen (Feiertage ausgenommen).",
    "personal.agenten": "Erlang C: kleinste Zahl gleichzeitig besetzter Plätze, mit der das Service-Ziel erreicht "
    "wird und die Auslastung höchstens 85 % beträgt.",
    "personal.dienstplan": "Einzuplanende Personen = ⌈besetzte Plätze ÷ (1 − Schwund)⌉ (Schwund: Pausen, "
    "Urlaub, Krankheit, Schulung).",
    "personal.tage": "Ausgewertete Tage dieses Wochentags im Zeitraum (ohne Feiertage und Schließtage).",
    "personal.tageskontakte": "Mittlere Zahl der Kontakte in der Servicezeit an diesem Wochentag.",
    "personal.servicelevel": "Erwarteter Anteil der Anrufe, die innerhalb der Zielzeit angenommen werden, "
    "bei dieser Besetzung.",
}

#: How medians and the 90 % value are computed (stated once in README and outputs).
METHODE = (
    "Median: mittlerer Wert (bei gerader Anzahl der Mittelwert der beiden mittleren); 90-%-Wert: der Wert auf "
    "Rang ⌈0,9·n⌉ der aufsteigend sortierten Werte. Servicestunden zählen nur die Servicezeit."
)
