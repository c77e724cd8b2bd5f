<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Autostart</name>
    <message>
        <source>could not write %1</source>
        <translation>konnte %1 nicht schreiben</translation>
    </message>
    <message>
        <source>Installed login item: %1</source>
        <translation>Anmeldeeintrag eingerichtet: %1</translation>
    </message>
    <message>
        <source>cannot create %1</source>
        <translation>kann %1 nicht anlegen</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>kann %1 nicht schreiben: %2</translation>
    </message>
    <message>
        <source>Installed login item: %1 (starts %2 --home %3)</source>
        <translation>Anmeldeeintrag eingerichtet: %1 (startet %2 --home %3)</translation>
    </message>
    <message>
        <source>cannot remove %1</source>
        <translation>kann %1 nicht entfernen</translation>
    </message>
    <message>
        <source>Removed login item: %1</source>
        <translation>Anmeldeeintrag entfernt: %1</translation>
    </message>
    <message>
        <source>No login item to remove at %1</source>
        <translation>Kein Anmeldeeintrag zum Entfernen unter %1</translation>
    </message>
</context>
<context>
    <name>TrayPresentation</name>
    <message numerus="yes">
        <source>%n active agent(s)</source>
        <translation>
            <numerusform>%n aktiver Agent</numerusform>
            <numerusform>%n aktive Agenten</numerusform>
        </translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>leert sich</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>hält an</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>startup failed</source>
        <translation>Start fehlgeschlagen</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>not started yet</source>
        <translation>noch nie gestartet</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <source>Sluice: %1</source>
        <translation>Sluice: %1</translation>
    </message>
    <message>
        <source>Sluice: %1 — %2</source>
        <translation>Sluice: %1 — %2</translation>
    </message>
    <message>
        <source>Sluice gateway</source>
        <translation>Sluice-Gateway</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>Zustand: %1</translation>
    </message>
    <message>
        <source>Accepting new turns</source>
        <translation>Nimmt neue Aufträge an</translation>
    </message>
    <message>
        <source>Not accepting new turns</source>
        <translation>Nimmt keine neuen Aufträge an</translation>
    </message>
    <message>
        <source>No service has run in this HOME yet</source>
        <translation>In diesem HOME lief noch kein Dienst</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Tray icon and control panel for Sluice.</source>
        <translation>Tray-Symbol und Steuerzentrale für Sluice.</translation>
    </message>
    <message>
        <source>Print this help and exit.</source>
        <translation>Diese Hilfe ausgeben und beenden.</translation>
    </message>
    <message>
        <source>Print the version and exit.</source>
        <translation>Die Version ausgeben und beenden.</translation>
    </message>
    <message>
        <source>The gateway&apos;s HOME folder.</source>
        <translation>Der HOME-Ordner des Gateways.</translation>
    </message>
    <message>
        <source>Start sluice-tray at login, then exit.</source>
        <translation>sluice-tray bei der Anmeldung starten, dann beenden.</translation>
    </message>
    <message>
        <source>Remove the login item, then exit.</source>
        <translation>Den Anmeldeeintrag entfernen, dann beenden.</translation>
    </message>
    <message>
        <source>Open the control panel as a window even where a system tray exists.</source>
        <translation>Die Steuerzentrale als Fenster öffnen, auch wenn es einen Infobereich gibt.</translation>
    </message>
    <message>
        <source>sluice-tray already runs for this HOME; raised its window.</source>
        <translation>sluice-tray läuft schon für dieses HOME; sein Fenster wurde nach vorn geholt.</translation>
    </message>
</context>
<context>
    <name>sluice::gui::AgentsModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Turn</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>%1 (previous process %2)</source>
        <translation>%1 (vorheriger Prozess %2)</translation>
    </message>
</context>
<context>
    <name>sluice::gui::ControlPanel</name>
    <message>
        <source>Sluice — control panel</source>
        <translation>Sluice — Steuerzentrale</translation>
    </message>
    <message>
        <source>Sluice control panel</source>
        <translation>Sluice-Steuerzentrale</translation>
    </message>
    <message>
        <source>Gateway state</source>
        <translation>Zustand des Gateways</translation>
    </message>
    <message>
        <source>Gateway details</source>
        <translation>Einzelheiten zum Gateway</translation>
    </message>
    <message>
        <source>Gateway actions</source>
        <translation>Aktionen des Gateways</translation>
    </message>
    <message>
        <source>&amp;Sluice</source>
        <translation>&amp;Sluice</translation>
    </message>
    <message>
        <source>Recent messages</source>
        <translation>Letzte Meldungen</translation>
    </message>
    <message>
        <source>Start service</source>
        <translation>Dienst starten</translation>
    </message>
    <message>
        <source>Cancel drain</source>
        <translation>Leeren abbrechen</translation>
    </message>
    <message>
        <source>Drain progress</source>
        <translation>Fortschritt des Leerens</translation>
    </message>
    <message>
        <source>&amp;Active agents</source>
        <translation>&amp;Aktive Agenten</translation>
    </message>
    <message>
        <source>&amp;Recent turns</source>
        <translation>&amp;Letzte Aufträge</translation>
    </message>
    <message>
        <source>Last &amp;shutdown</source>
        <translation>Letztes &amp;Anhalten</translation>
    </message>
    <message>
        <source>Service &amp;log</source>
        <translation>Dienst-&amp;Protokoll</translation>
    </message>
    <message>
        <source>Active agents</source>
        <translation>Aktive Agenten</translation>
    </message>
    <message>
        <source>Queued turns</source>
        <translation>Wartende Aufträge</translation>
    </message>
    <message>
        <source>Interrupt selected turn</source>
        <translation>Gewählten Auftrag abbrechen</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Live output of the selected turn</source>
        <translation>Laufende Ausgabe des gewählten Auftrags</translation>
    </message>
    <message>
        <source>Select a turn to watch its output as it arrives.</source>
        <translation>Einen Auftrag wählen, um seine Ausgabe live zu verfolgen.</translation>
    </message>
    <message>
        <source>Output of turn %1 (session %2)</source>
        <translation>Ausgabe von Auftrag %1 (Sitzung %2)</translation>
    </message>
    <message>
        <source>Recent turns</source>
        <translation>Letzte Aufträge</translation>
    </message>
    <message>
        <source>S&amp;ession:</source>
        <translation>S&amp;itzung:</translation>
    </message>
    <message>
        <source>Session filter</source>
        <translation>Sitzungsfilter</translation>
    </message>
    <message>
        <source>All sessions</source>
        <translation>Alle Sitzungen</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Output of the opened turn</source>
        <translation>Ausgabe des geöffneten Auftrags</translation>
    </message>
    <message>
        <source>Open a turn (select it) to read its whole output.</source>
        <translation>Einen Auftrag öffnen (auswählen), um seine ganze Ausgabe zu lesen.</translation>
    </message>
    <message>
        <source>Last shutdown</source>
        <translation>Letztes Anhalten</translation>
    </message>
    <message>
        <source>Phases of the last shutdown</source>
        <translation>Phasen des letzten Anhaltens</translation>
    </message>
    <message>
        <source>Service log</source>
        <translation>Dienst-Protokoll</translation>
    </message>
    <message>
        <source>Service log (sluiced.log)</source>
        <translation>Dienst-Protokoll (sluiced.log)</translation>
    </message>
    <message>
        <source>&lt;b&gt;No Sluice service has run in this HOME yet.&lt;/b&gt;&lt;br&gt;Start one here; it keeps running after the tray quits. Under a service manager, install the unit first with &lt;tt&gt;sluicectl service install&lt;/tt&gt;, and Start goes through it.</source>
        <translation>&lt;b&gt;In diesem HOME lief noch kein Sluice-Dienst.&lt;/b&gt;&lt;br&gt;Hier starten; er läuft weiter, wenn das Tray beendet wird. Für einen Dienstverwalter zuerst die Unit mit &lt;tt&gt;sluicectl service install&lt;/tt&gt; einrichten, dann startet „Dienst starten“ über ihn.</translation>
    </message>
    <message>
        <source>pid %1</source>
        <translation>PID %1</translation>
    </message>
    <message>
        <source>up %1</source>
        <translation>läuft seit %1</translation>
    </message>
    <message>
        <source>accepting turns</source>
        <translation>nimmt Aufträge an</translation>
    </message>
    <message>
        <source>not accepting turns</source>
        <translation>nimmt keine Aufträge an</translation>
    </message>
    <message>
        <source>drain timeout %1 s</source>
        <translation>Leerzeit %1 s</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <source>service not reachable</source>
        <translation>Dienst nicht erreichbar</translation>
    </message>
    <message>
        <source>last exit code %1</source>
        <translation>letzter Exit-Code %1</translation>
    </message>
    <message>
        <source>HOME %1</source>
        <translation>HOME %1</translation>
    </message>
    <message>
        <source>some time</source>
        <translation>einiger Zeit</translation>
    </message>
    <message>
        <source>&lt;b&gt;Draining since before the last stop.&lt;/b&gt; A drain asked for by %1 %2 ago was still in force when the service started, so it accepts no new turns. Cancel it here, or with &lt;tt&gt;%3&lt;/tt&gt;.</source>
        <translation>&lt;b&gt;Leert sich seit vor dem letzten Anhalten.&lt;/b&gt; Ein Leeren, das %1 vor %2 verlangt hat, galt beim Start des Dienstes noch, darum nimmt er keine neuen Aufträge an. Hier abbrechen oder mit &lt;tt&gt;%3&lt;/tt&gt;.</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>jemand</translation>
    </message>
    <message>
        <source>⚠ HOME cannot be written, so no new turns are taken: %1</source>
        <translation>⚠ HOME ist nicht beschreibbar, daher werden keine neuen Aufträge angenommen: %1</translation>
    </message>
    <message>
        <source>⚠ Service manager not aligned: %1</source>
        <translation>⚠ Dienstverwalter nicht abgestimmt: %1</translation>
    </message>
    <message>
        <source>its stop timeout is shorter than the drain budget.</source>
        <translation>seine Anhaltezeit ist kürzer als das Zeitbudget zum Leeren.</translation>
    </message>
    <message>
        <source>Fix: %1</source>
        <translation>Abhilfe: %1</translation>
    </message>
    <message>
        <source>all turns finished — safe to restart</source>
        <translation>alle Aufträge fertig — Neustart ist gefahrlos</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n turn(s) still running</source>
        <translation>
            <numerusform>%1 von %n Auftrag läuft noch</numerusform>
            <numerusform>%1 von %n Aufträgen laufen noch</numerusform>
        </translation>
    </message>
    <message>
        <source>Drain:</source>
        <translation>Leeren:</translation>
    </message>
    <message>
        <source>Stopping:</source>
        <translation>Anhalten:</translation>
    </message>
    <message>
        <source>No turn is waiting.</source>
        <translation>Kein Auftrag wartet.</translation>
    </message>
    <message>
        <source>%1 #%2</source>
        <translation>%1 Nr. %2</translation>
    </message>
    <message numerus="yes">
        <source>Queued (%n): %1</source>
        <translation>
            <numerusform>Wartend (%n): %1</numerusform>
            <numerusform>Wartend (%n): %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a turn to interrupt.</source>
        <translation>Einen Auftrag zum Abbrechen wählen.</translation>
    </message>
    <message>
        <source>Restart in progress</source>
        <translation>Neustart läuft</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Restarted.&lt;/b&gt; New turns run here; the previous process (pid %1) finishes its %n turn(s)</source>
        <translation>
            <numerusform>&lt;b&gt;Neu gestartet.&lt;/b&gt; Neue Aufträge laufen hier; der vorherige Prozess (PID %1) beendet seinen %n Auftrag</numerusform>
            <numerusform>&lt;b&gt;Neu gestartet.&lt;/b&gt; Neue Aufträge laufen hier; der vorherige Prozess (PID %1) beendet seine %n Aufträge</numerusform>
        </translation>
    </message>
    <message>
        <source>, at the latest by %1</source>
        <translation>, spätestens bis %1</translation>
    </message>
</context>
<context>
    <name>sluice::gui::Notifier</name>
    <message>
        <source>Drain finished — safe to restart</source>
        <translation>Leeren beendet — Neustart ist gefahrlos</translation>
    </message>
    <message>
        <source>Sluice stopped (by someone else)</source>
        <translation>Sluice angehalten (von anderer Stelle)</translation>
    </message>
    <message>
        <source>Sluice restarted (by someone else)</source>
        <translation>Sluice neu gestartet (von anderer Stelle)</translation>
    </message>
    <message>
        <source>Sluice is not reachable</source>
        <translation>Sluice ist nicht erreichbar</translation>
    </message>
    <message>
        <source>No agent turn is running; Sluice can be restarted or stopped without interrupting anything.</source>
        <translation>Kein Agenten-Auftrag läuft; Sluice kann neu gestartet oder angehalten werden, ohne etwas abzubrechen.</translation>
    </message>
    <message>
        <source>Sluice stopped</source>
        <translation>Sluice angehalten</translation>
    </message>
    <message>
        <source>The gateway stopped (exit code %1).</source>
        <translation>Das Gateway hat angehalten (Exit-Code %1).</translation>
    </message>
    <message>
        <source>The gateway does not answer.</source>
        <translation>Das Gateway antwortet nicht.</translation>
    </message>
    <message>
        <source>The gateway does not answer (%1).</source>
        <translation>Das Gateway antwortet nicht (%1).</translation>
    </message>
    <message>
        <source>Sluice restarted</source>
        <translation>Sluice neu gestartet</translation>
    </message>
    <message>
        <source>The gateway is back (pid %1).</source>
        <translation>Das Gateway ist wieder da (PID %1).</translation>
    </message>
</context>
<context>
    <name>sluice::gui::OutputView</name>
    <message numerus="yes">
        <source>
[… %n byte(s) not shown …]
</source>
        <translation>
            <numerusform>
[… %n Byte nicht angezeigt …]
</numerusform>
            <numerusform>
[… %n Bytes nicht angezeigt …]
</numerusform>
        </translation>
    </message>
    <message>
        <source>[turn %1, exit code %2]</source>
        <translation>[Auftrag %1, Exit-Code %2]</translation>
    </message>
    <message>
        <source>[turn %1]</source>
        <translation>[Auftrag %1]</translation>
    </message>
</context>
<context>
    <name>sluice::gui::ServiceConnection</name>
    <message>
        <source>no service answers on its socket</source>
        <translation>kein Dienst antwortet auf seinem Socket</translation>
    </message>
    <message>
        <source>the connection was lost</source>
        <translation>die Verbindung ist abgerissen</translation>
    </message>
    <message>
        <source>not responding</source>
        <translation>antwortet nicht</translation>
    </message>
    <message>
        <source>HOME cannot be written: no new turns (%1)</source>
        <translation>HOME nicht beschreibbar: keine neuen Aufträge (%1)</translation>
    </message>
    <message>
        <source>waiting for the service to answer</source>
        <translation>wartet auf die Antwort des Dienstes</translation>
    </message>
    <message>
        <source>the service process (pid %1) is gone</source>
        <translation>der Dienstprozess (PID %1) ist weg</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Cancel drain</source>
        <translation>Leeren abbrechen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Interrupt</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Sending the message</source>
        <translation>Das Senden der Nachricht</translation>
    </message>
    <message>
        <source>Asking for the status</source>
        <translation>Die Zustandsabfrage</translation>
    </message>
    <message>
        <source>Reading the turn</source>
        <translation>Das Lesen des Auftrags</translation>
    </message>
    <message>
        <source>Listing recent turns</source>
        <translation>Das Auflisten der Aufträge</translation>
    </message>
    <message>
        <source>Following the turn</source>
        <translation>Das Verfolgen des Auftrags</translation>
    </message>
    <message>
        <source>the service did not answer within %1 s</source>
        <translation>der Dienst hat nicht binnen %1 s geantwortet</translation>
    </message>
    <message>
        <source>the service is not reachable</source>
        <translation>der Dienst ist nicht erreichbar</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Draining since before the last stop (asked for by %1); Cancel drain ends it</source>
        <translation>Leert sich seit vor dem letzten Anhalten (verlangt von %1); „Leeren abbrechen“ beendet es</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>jemand</translation>
    </message>
</context>
<context>
    <name>sluice::gui::SettingsDialog</name>
    <message>
        <source>Sluice tray settings</source>
        <translation>Einstellungen des Sluice-Trays</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Start the tray when I log in</source>
        <translation>Das Tray bei meiner Anmeldung starten</translation>
    </message>
    <message>
        <source>HOME folder</source>
        <translation>HOME-Ordner</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>The gateway&apos;s HOME folder</source>
        <translation>Der HOME-Ordner des Gateways</translation>
    </message>
    <message>
        <source>&amp;HOME:</source>
        <translation>&amp;HOME:</translation>
    </message>
    <message>
        <source>Used when the tray starts without --home or $SLUICE_HOME; empty for the default. Takes effect at the next start.</source>
        <translation>Gilt, wenn das Tray ohne --home oder $SLUICE_HOME startet; leer für die Voreinstellung. Wirkt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>The login item could not be changed: %1</source>
        <translation>Der Anmeldeeintrag ließ sich nicht ändern: %1</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Einstellungen gespeichert.</translation>
    </message>
    <message>
        <source>Settings saved. %1</source>
        <translation>Einstellungen gespeichert. %1</translation>
    </message>
</context>
<context>
    <name>sluice::gui::ShutdownTimeline</name>
    <message>
        <source>No shutdown recorded yet.</source>
        <translation>Noch kein Anhalten aufgezeichnet.</translation>
    </message>
    <message>
        <source>turns were interrupted</source>
        <translation>Aufträge wurden abgebrochen</translation>
    </message>
    <message>
        <source>nothing interrupted</source>
        <translation>nichts abgebrochen</translation>
    </message>
    <message>
        <source>%1 interrupted</source>
        <translation>%1 abgebrochen</translation>
    </message>
    <message>
        <source>Last stop: %1, exit code %2, %3 s in total, %4</source>
        <translation>Letztes Anhalten: %1, Exit-Code %2, insgesamt %3 s, %4</translation>
    </message>
    <message>
        <source>(started %1)</source>
        <translation>(begonnen %1)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>sluice::gui::TrayActions</name>
    <message>
        <source>Start service</source>
        <translation>Dienst starten</translation>
    </message>
    <message>
        <source>Start the Sluice gateway for this HOME</source>
        <translation>Das Sluice-Gateway für dieses HOME starten</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Refuse new turns and let the running ones finish</source>
        <translation>Neue Aufträge ablehnen und laufende zu Ende bringen lassen</translation>
    </message>
    <message>
        <source>Cancel drain</source>
        <translation>Leeren abbrechen</translation>
    </message>
    <message>
        <source>Accept new turns again</source>
        <translation>Wieder neue Aufträge annehmen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Planned stop: drain, then exit</source>
        <translation>Geplantes Anhalten: leeren, dann beenden</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <source>Drain, then restart the gateway</source>
        <translation>Leeren, dann das Gateway neu starten</translation>
    </message>
    <message>
        <source>Force restart…</source>
        <translation>Neustart erzwingen…</translation>
    </message>
    <message>
        <source>Restart now, interrupting running turns</source>
        <translation>Sofort neu starten und laufende Aufträge abbrechen</translation>
    </message>
    <message>
        <source>Send test message…</source>
        <translation>Testnachricht senden…</translation>
    </message>
    <message>
        <source>Send a message to an agent and watch the reply</source>
        <translation>Eine Nachricht an einen Agenten senden und die Antwort verfolgen</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Notifications, autostart and HOME</source>
        <translation>Benachrichtigungen, Autostart und HOME</translation>
    </message>
    <message>
        <source>Open control panel</source>
        <translation>Steuerzentrale öffnen</translation>
    </message>
    <message>
        <source>Show the control panel window</source>
        <translation>Das Fenster der Steuerzentrale zeigen</translation>
    </message>
    <message>
        <source>Quit tray</source>
        <translation>Tray beenden</translation>
    </message>
    <message>
        <source>Close the tray; the gateway keeps running</source>
        <translation>Das Tray schließen; das Gateway läuft weiter</translation>
    </message>
    <message numerus="yes">
        <source>Draining: new turns are refused; %n running turn(s) may finish.</source>
        <translation>
            <numerusform>Leeren: neue Aufträge werden abgelehnt; %n laufender Auftrag darf fertig werden.</numerusform>
            <numerusform>Leeren: neue Aufträge werden abgelehnt; %n laufende Aufträge dürfen fertig werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Drain cancelled: accepting new turns.</source>
        <translation>Leeren abgebrochen: nimmt neue Aufträge an.</translation>
    </message>
    <message>
        <source>Stopping: running turns get their drain time.</source>
        <translation>Hält an: laufende Aufträge bekommen ihre Leerzeit.</translation>
    </message>
    <message>
        <source>Restarting after the drain.</source>
        <translation>Startet nach dem Leeren neu.</translation>
    </message>
    <message>
        <source>The service manager is still busy with the last request.</source>
        <translation>Der Dienstverwalter ist noch mit der letzten Anfrage beschäftigt.</translation>
    </message>
    <message>
        <source>Starting the service…</source>
        <translation>Dienst wird gestartet…</translation>
    </message>
    <message>
        <source>A drain left from before the last stop (asked for by %1) was cleared.</source>
        <translation>Ein Leeren aus der Zeit vor dem letzten Anhalten (verlangt von %1) wurde aufgehoben.</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>jemand</translation>
    </message>
    <message>
        <source>Force restart now?

No agent turn is running, so nothing will be interrupted.</source>
        <translation>Jetzt Neustart erzwingen?

Kein Agenten-Auftrag läuft, es wird also nichts abgebrochen.</translation>
    </message>
    <message>
        <source>  • session %1 (turn %2, running %3)</source>
        <translation>  • Sitzung %1 (Auftrag %2, läuft seit %3)</translation>
    </message>
    <message numerus="yes">
        <source>Force restart now?

This interrupts %n active turn(s) without waiting for them to finish:
%1

Their sessions are marked to resume after the restart.</source>
        <translation>
            <numerusform>Jetzt Neustart erzwingen?

Das bricht %n aktiven Auftrag ab, ohne auf sein Ende zu warten:
%1

Seine Sitzung wird zum Fortsetzen nach dem Neustart vorgemerkt.</numerusform>
            <numerusform>Jetzt Neustart erzwingen?

Das bricht %n aktive Aufträge ab, ohne auf ihr Ende zu warten:
%1

Ihre Sitzungen werden zum Fortsetzen nach dem Neustart vorgemerkt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Force restart Sluice</source>
        <translation>Neustart von Sluice erzwingen</translation>
    </message>
    <message>
        <source>Force restart</source>
        <translation>Neustart erzwingen</translation>
    </message>
    <message>
        <source>Force restart cancelled.</source>
        <translation>Erzwungener Neustart abgebrochen.</translation>
    </message>
    <message>
        <source>Force restart under way.</source>
        <translation>Erzwungener Neustart läuft.</translation>
    </message>
    <message>
        <source>Send test message</source>
        <translation>Testnachricht senden</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Hello from the Sluice tray.</source>
        <translation>Hallo vom Sluice-Tray.</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>&amp;Session:</source>
        <translation>&amp;Sitzung:</translation>
    </message>
    <message>
        <source>&amp;Message:</source>
        <translation>&amp;Nachricht:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Sent to session %1 as turn %2.</source>
        <translation>An Sitzung %1 als Auftrag %2 gesendet.</translation>
    </message>
    <message>
        <source>Interrupted turn %1 (session %2).</source>
        <translation>Auftrag %1 (Sitzung %2) abgebrochen.</translation>
    </message>
</context>
<context>
    <name>sluice::gui::TrayController</name>
    <message>
        <source>Active agents</source>
        <translation>Aktive Agenten</translation>
    </message>
    <message>
        <source>Sluice tray menu</source>
        <translation>Menü des Sluice-Trays</translation>
    </message>
    <message>
        <source>%1 — turn %2 (%3)</source>
        <translation>%1 — Auftrag %2 (%3)</translation>
    </message>
    <message>
        <source>Active agents (%1)</source>
        <translation>Aktive Agenten (%1)</translation>
    </message>
    <message>
        <source>Turn %1 of session %2</source>
        <translation>Auftrag %1 der Sitzung %2</translation>
    </message>
    <message>
        <source>pid %1, %2</source>
        <translation>PID %1, %2</translation>
    </message>
    <message>
        <source>Interrupt</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>sluice::gui::TurnHistory</name>
    <message>
        <source>This service does not keep a turn history.</source>
        <translation>Dieser Dienst führt keinen Auftragsverlauf.</translation>
    </message>
    <message>
        <source>The list of turns is not available: %1</source>
        <translation>Die Auftragsliste ist nicht verfügbar: %1</translation>
    </message>
</context>
<context>
    <name>sluice::gui::TurnOutput</name>
    <message>
        <source>The service does not know turn %1.</source>
        <translation>Der Dienst kennt Auftrag %1 nicht.</translation>
    </message>
    <message>
        <source>The output of turn %1 cannot be read: %2</source>
        <translation>Die Ausgabe von Auftrag %1 lässt sich nicht lesen: %2</translation>
    </message>
</context>
<context>
    <name>sluice::gui::TurnsModel</name>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>queued (#%1)</source>
        <translation>wartet (Nr. %1)</translation>
    </message>
    <message>
        <source>Turn</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Begonnen</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Exit</source>
        <translation>Exit</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
</context>
</TS>
