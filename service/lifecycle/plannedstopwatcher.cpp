#include "lifecycle/plannedstopwatcher.h"

#include "lifecycle/homewatcher.h"
#include "lifecycle/lifecyclelogging.h"

#include "sluice/processidentity.h"

#include <QFileInfo>
#include <QTimer>

namespace sluice {

PlannedStopWatcher::PlannedStopWatcher(const QString &markerPath, std::function<bool()> canStop,
                                       QObject *parent)
    : QObject(parent)
    , m_marker(markerPath)
    , m_expiry(new QTimer(this))
    , m_canStop(std::move(canStop))
{
    m_expiry->setSingleShot(true);
    connect(m_expiry, &QTimer::timeout, this, &PlannedStopWatcher::evaluate);
}

void PlannedStopWatcher::attach(HomeWatcher *watcher)
{
    const QString name = QFileInfo(m_marker.path()).fileName();
    watcher->addFile(name);
    connect(watcher, &HomeWatcher::changed, this, [this, name](const QString &fileName) {
        if (fileName == name)
            evaluate();
    });
    // Time alone can make a marker for another process old enough to remove.
    evaluate();
}

bool PlannedStopWatcher::probeSelf(bool *restart) const
{
    const PlannedStopMarker::Probe p =
        m_marker.probe(ProcessIdentity::currentPid(), ProcessIdentity::currentStartTime());
    const bool self = p.verdict == PlannedStopMarker::Verdict::Self;
    if (restart)
        *restart = self && p.restart;
    return self;
}

void PlannedStopWatcher::evaluate()
{
    const PlannedStopMarker::Probe p =
        m_marker.probe(ProcessIdentity::currentPid(), ProcessIdentity::currentStartTime());
    const auto logOnce = [this, &p](const QString &what) {
        // Not the reason: it carries the marker's age, which changes on every re-check.
        // Once per verdict and marker file (a rewritten marker is news).
        const QString key =
            QString::fromLatin1(PlannedStopMarker::verdictName(p.verdict)) + QLatin1Char('|') +
            QString::number(p.targetPid) + QLatin1Char('|') + QString::number(p.targetStartTime) +
            QLatin1Char('|') +
            QString::number(QFileInfo(m_marker.path()).lastModified().toMSecsSinceEpoch());
        if (key != m_lastLogged) {
            m_lastLogged = key;
            qCInfo(lcLifecycle).noquote() << what;
        }
    };
    switch (p.verdict) {
    case PlannedStopMarker::Verdict::Absent:
        m_lastLogged.clear();
        m_expiry->stop();
        return;
    case PlannedStopMarker::Verdict::Other:
        logOnce(QStringLiteral("planned-stop marker names another process (pid %1): left alone")
                    .arg(p.targetPid));
        scheduleExpiry(p.expiresAt);
        return;
    case PlannedStopMarker::Verdict::Malformed:
        logOnce(QStringLiteral("planned-stop marker is unreadable or malformed (%1): ignored")
                    .arg(p.reason));
        scheduleExpiry(p.expiresAt);
        return;
    case PlannedStopMarker::Verdict::Expired:
        qCInfo(lcLifecycle).noquote()
            << "removing a stale planned-stop marker (pid" << p.targetPid << "):" << p.reason;
        m_marker.consume();
        m_lastLogged.clear();
        return;
    case PlannedStopMarker::Verdict::Self:
        if (m_fired)
            return; // fire-once; the stop consumes the marker
        if (!m_canStop || !m_canStop()) {
            // Starting: wait for running (re-checked); stopping: part of that stop already.
            logOnce(QStringLiteral("planned-stop marker names this process; not acting now"));
            return;
        }
        m_fired = true;
        qCInfo(lcLifecycle).noquote() << "planned-stop marker names this process: planned"
                                      << (p.restart ? "restart" : "stop");
        Q_EMIT plannedStopRequested(p.restart);
        return;
    }
}

void PlannedStopWatcher::scheduleExpiry(const QDateTime &at)
{
    // No file event marks the marker growing old: wake up once, when it does.
    if (!at.isValid())
        return;
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(at);
    m_expiry->start(int(qBound(qint64(0), ms, qint64(24) * 3600 * 1000)));
}

} // namespace sluice
