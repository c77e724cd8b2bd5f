#include "lifecycle/sessionresumer.h"

#include "gateway/gateway.h"
#include "lifecycle/lifecyclelogging.h"
#include "sluice/logging.h"
#include "turns/sessionstore.h"
#include "turns/turnmanager.h"

#include "sluice/lifecyclemarkers.h"
#include "sluice/protocol.h"

#include <QJsonArray>

namespace sluice {

SessionResumer::SessionResumer(const QString &restartPendingFile, SessionStore *store,
                               TurnManager *turns, Gateway *gateway, QObject *parent)
    : QObject(parent)
    , m_restartPendingFile(restartPendingFile)
    , m_store(store)
    , m_turns(turns)
    , m_gateway(gateway)
{}

int SessionResumer::resumeAtStart()
{
    const QString pendingPath = m_restartPendingFile;
    const std::optional<RestartPending> restart = RestartPending::read(pendingPath);
    SessionStore *store = m_store;
    TurnManager *turns = m_turns;
    int resumed = 0;
    QJsonArray resumedIds;
    if (store && store->isOpen()) {
        const QList<TurnInfo> flagged = store->resumePendingTurns();
        for (const TurnInfo &old : flagged) {
            if (old.state == TurnState::Done || old.state == TurnState::Failed ||
                old.state == TurnState::Refused) {
                store->setResumePending(QString(), old.id, false); // finished: nothing to redo
                continue;
            }
            TurnManager::SubmitOptions options;
            options.internal = true;
            options.extraEnv.insert(QStringLiteral("SLUICE_RESUME"), QStringLiteral("1"));
            options.extraEnv.insert(QStringLiteral("SLUICE_RESUMED_FROM"), old.id);
            const QString id = turns->submit(old.session, old.text, options);
            // Hand the flag to the new turn at once: a crash now still resumes it next time.
            store->setResumePending(QString(), old.id, false);
            store->setResumePending(old.session, id, true);
            qCInfo(lcLifecycle).noquote()
                << QStringLiteral("resumed session %1: turn %2 -> %3").arg(old.session, old.id, id);
            resumedIds.append(QJsonObject{{QStringLiteral("session"), old.session},
                                          {QStringLiteral("from"), old.id},
                                          {QStringLiteral("turn_id"), id}});
            ++resumed;
        }
        store->clearResumeOfFinished();
    }
    if (restart) {
        qCInfo(lcLifecycle).noquote()
            << QStringLiteral("restart finished (requested %1, %2%3): %4 resumed")
                   .arg(restart->requestedAt.isEmpty() ? QStringLiteral("?") : restart->requestedAt,
                        restart->viaService ? QStringLiteral("via the service manager")
                                            : QStringLiteral("self-restart"),
                        restart->force ? QStringLiteral(", forced") : QString())
                   .arg(resumed);
        m_gateway->publishEvent(QString::fromLatin1(Protocol::Event::RestartFinished),
                                QJsonObject{{QStringLiteral("requested_at"), restart->requestedAt},
                                            {QStringLiteral("via_service"), restart->viaService},
                                            {QStringLiteral("force"), restart->force},
                                            {QStringLiteral("resumed"), resumedIds}});
        RestartPending::remove(pendingPath);
    } else if (resumed > 0) {
        qCInfo(lcLifecycle).noquote()
            << QStringLiteral("%1 resumed after an unclean stop")
                   .arg(counted(resumed, "resume-pending session", "resume-pending sessions"));
    }
    return resumed;
}

} // namespace sluice
