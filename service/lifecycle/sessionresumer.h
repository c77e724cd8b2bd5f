#pragma once
#include <QObject>
#include <QString>

namespace sluice {

class Gateway;
class SessionStore;
class TurnManager;

// Resume after a restart or a hard stop (docs/reference.md §6; rules in docs/lifecycle.md).
// At start, every turn flagged resume-pending in state.db that did not finish (interrupted,
// or left running/queued by a killed process) runs again as an INTERNAL turn — not refused
// by the drain gate — with SLUICE_RESUME=1 (and SLUICE_RESUMED_FROM=<old turn id>) in its
// environment. This happens whether or not .restart_pending.json exists, so a turn whose
// service was SIGKILLed mid-drain (flags are set before the wait) is not lost. When
// .restart_pending.json exists, subscribers get `restart_finished` and the file is deleted.
class SessionResumer : public QObject
{
    Q_OBJECT
public:
    SessionResumer(const QString &restartPendingFile, SessionStore *store, TurnManager *turns,
                   Gateway *gateway, QObject *parent = nullptr);

    // Call once the service serves (the turn manager and the store are up). Returns how many
    // turns it resubmitted.
    int resumeAtStart();

private:
    QString m_restartPendingFile;
    SessionStore *m_store;
    TurnManager *m_turns;
    Gateway *m_gateway;
};

} // namespace sluice
