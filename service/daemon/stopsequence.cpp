#include "stopsequence.h"

#include "daemonlogging.h"
#include "gateway.h"
#include "serviceapp.h"
#include "turnmanager.h"

#include <QTimer>

namespace sluice {

QString StopRequest::causeName(StopCause cause)
{
    switch (cause) {
    case StopCause::Planned:
        return QStringLiteral("planned");
    case StopCause::UnexpectedSignal:
        return QStringLiteral("unexpected_signal");
    case StopCause::Restart:
        return QStringLiteral("restart");
    case StopCause::ForceRestart:
        return QStringLiteral("force_restart");
    }
    return QStringLiteral("planned");
}

MinimalStopSequence::MinimalStopSequence(ServiceApp *app, QObject *parent)
    : StopSequence(parent)
    , m_app(app)
{}

void MinimalStopSequence::run(const StopRequest &request)
{
    m_request = request;
    TurnManager *turns = m_app->turns();
    const QString reason = request.isRestart() ? QStringLiteral("gateway restarting")
                                               : QStringLiteral("gateway shutting down");
    qCInfo(lcGateway) << "minimal stop: interrupting" << turns->runningCount() << "running turns";
    connect(turns, &TurnManager::allStopped, this, &MinimalStopSequence::finish);
    // A safety net: never hang in stopping, even if a tree refuses to go.
    const int graceMs = int(m_app->options().interruptGraceS * 1000);
    QTimer::singleShot(graceMs + 10000, this, [this, turns] {
        if (!m_finished) {
            qCWarning(lcGateway) << "turns did not all exit in time: killing what is left";
            turns->killEverything();
            finish();
        }
    });
    turns->interruptAll(reason);
}

void MinimalStopSequence::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    int exitCode = 0;
    QString desired = QStringLiteral("stopped");
    bool restart = false;
    switch (m_request.cause) {
    case StopCause::Planned:
        break;
    case StopCause::UnexpectedSignal:
        exitCode = 1;
        desired = QStringLiteral("running");
        break;
    case StopCause::Restart:
    case StopCause::ForceRestart:
        restart = true;
        desired = QStringLiteral("running");
        if (m_app->options().supervised)
            exitCode = 75;
        break;
    }
    m_app->gateway()->markStopped(exitCode,
                                  m_request.source.isEmpty()
                                      ? StopRequest::causeName(m_request.cause)
                                      : StopRequest::causeName(m_request.cause) + QLatin1Char(':') +
                                            m_request.source,
                                  desired, restart);
    if (restart && !m_app->options().supervised)
        m_app->spawnReplacement();
    m_app->finishStop(exitCode);
}

} // namespace sluice
