#pragma once
#include "sluice/states.h"

#include <QList>
#include <QObject>
#include <QString>
#include <optional>

namespace sluice::gui {

class ServiceConnection;

// Decides which transitions deserve a desktop notification: drain finished ("safe to
// restart"), stop complete, restart complete, service unreachable. A stop or restart asked for
// from this tray is remembered (syncthingtray's "manually stopped" flag) and raises none of the
// stop / restart / unreachable notices. The tray shows what this emits; tests spy on it.
class Notifier : public QObject
{
    Q_OBJECT
public:
    enum Kind { DrainFinished, StopComplete, RestartComplete, Unreachable };
    Q_ENUM(Kind)

    explicit Notifier(ServiceConnection *connection, QObject *parent = nullptr);

    // Called by the tray right before it sends stop / restart.
    void markManualStop();
    void markManualRestart();

    // The title the settings dialog shows for a kind ("Drain finished").
    static QString kindDisplayName(Kind kind);
    static QString kindKey(Kind kind); // stable settings key: "drain_finished", ...
    static QList<Kind> allKinds();

Q_SIGNALS:
    void notify(sluice::gui::Notifier::Kind kind, const QString &title, const QString &text);

private:
    void evaluate();
    void emitUnlessManual(Kind kind, const QString &title, const QString &text);

    ServiceConnection *m_conn;
    std::optional<GatewayState> m_lastState; // none: unreachable
    bool m_evaluated = false;
    qint64 m_lastLivePid = -1;
    qint64 m_pidBeforeStop = -1;
    bool m_stopSeen = false;        // stopping state or shutdown event seen
    bool m_restartExpected = false; // the stop in progress is a restart
    bool m_drainNotified = false;
    bool m_wasUnreachable = false;
    bool m_manual = false;
};

} // namespace sluice::gui
