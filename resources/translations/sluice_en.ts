<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>TrayPresentation</name>
    <message numerus="yes">
        <source>%n active agent(s)</source>
        <translation>
            <numerusform>%n active agent</numerusform>
            <numerusform>%n active agents</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sluice::gui::ControlPanel</name>
    <message numerus="yes">
        <source>%1 of %n turn(s) still running</source>
        <translation>
            <numerusform>%1 of %n turn still running</numerusform>
            <numerusform>%1 of %n turns still running</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queued (%n): %1</source>
        <translation>
            <numerusform>Queued (%n): %1</numerusform>
            <numerusform>Queued (%n): %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;Restarted.&lt;/b&gt; New turns run here; the previous process (pid %1) finishes its %n turn(s)</source>
        <translation>
            <numerusform>&lt;b&gt;Restarted.&lt;/b&gt; New turns run here; the previous process (pid %1) finishes its %n turn</numerusform>
            <numerusform>&lt;b&gt;Restarted.&lt;/b&gt; New turns run here; the previous process (pid %1) finishes its %n turns</numerusform>
        </translation>
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
[… %n byte not shown …]
</numerusform>
            <numerusform>
[… %n bytes not shown …]
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sluice::gui::TrayActions</name>
    <message numerus="yes">
        <source>Draining: new turns are refused; %n running turn(s) may finish.</source>
        <translation>
            <numerusform>Draining: new turns are refused; %n running turn may finish.</numerusform>
            <numerusform>Draining: new turns are refused; %n running turns may finish.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Force restart now?

This interrupts %n active turn(s) without waiting for them to finish:
%1

Their sessions are marked to resume after the restart.</source>
        <translation>
            <numerusform>Force restart now?

This interrupts %n active turn without waiting for it to finish:
%1

Its session is marked to resume after the restart.</numerusform>
            <numerusform>Force restart now?

This interrupts %n active turns without waiting for them to finish:
%1

Their sessions are marked to resume after the restart.</numerusform>
        </translation>
    </message>
</context>
</TS>
