#pragma once
#include "sluice/plannedstopmarker.h"

#include <QObject>
#include <functional>

class QTimer;

namespace sluice {

class HomeWatcher;

// The planned-stop marker watcher (docs/reference.md §5) on the service's HOME watcher (folder
// notification + periodic re-check). On every change or re-check it probes the marker:
//  - names this process (pid, and start time when both known) and the service may stop
//    (running or draining, no stop begun): fires plannedStopRequested() ONCE; the stop
//    sequence consumes the marker at `begin` (after the forensics snapshot has seen it);
//  - names another process: left alone until older than 60 s, then removed;
//  - unreadable / malformed: left alone until older than 60 s, then removed; never acted on.
// A marker that names an older process life (a pid from before this start) is "other".
class PlannedStopWatcher : public QObject
{
    Q_OBJECT
public:
    // canStop: true while running/draining and no stop has begun (asked at every probe).
    PlannedStopWatcher(const QString &markerPath, std::function<bool()> canStop,
                       QObject *parent = nullptr);

    // Subscribes to the watcher's changes for the marker's file name and its re-checks, and
    // evaluates once now (a leftover present at start is judged by the same rules).
    void attach(HomeWatcher *watcher);
    // One evaluation (also used by the SIGTERM classification through probeSelf()).
    void evaluate();
    // True when a marker on disk names this process now.
    // *restart: the marker asks for a restart (`restart: true`).
    bool probeSelf(bool *restart = nullptr) const;
    bool hasFired() const { return m_fired; }

Q_SIGNALS:
    void plannedStopRequested(bool restart);

private:
    void scheduleExpiry(const QDateTime &at);

    PlannedStopMarker m_marker;
    QTimer *m_expiry; // one shot: a marker for another process grows old enough to remove
    std::function<bool()> m_canStop;
    bool m_fired = false;
    QString m_lastLogged;
};

} // namespace sluice
