#pragma once
#include "sluice/runtimestatus.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <functional>

class QTimer;

namespace sluice {

class StatusWriterThread;

// The only writer of gateway_state.json. schedule() only records the latest status and arms
// a 0-timer, so a burst of changes in one event-loop pass becomes one write; the atomic write
// (with its fsync) runs on a worker thread, so the event loop never waits on the disk.
// flush() writes synchronously (used for the final state at exit).
class StatusWriter : public QObject
{
    Q_OBJECT
public:
    explicit StatusWriter(const QString &path, QObject *parent = nullptr);
    ~StatusWriter() override;

    QString path() const { return m_path; }
    void schedule(const RuntimeStatus &status);
    // Writes the latest scheduled status now and waits for the worker to finish it. False (with
    // the reason) when that write failed (a full or read-only HOME).
    bool flush(QString *error = nullptr);
    // THREAD-SAFE. For a last-resort writer outside the event loop (the stop watchdog): waits
    // for a write in progress, then makes every later write a no-op, so the caller's own
    // final write of gateway_state.json can never be overwritten by a stale status.
    void seal();
    int writesDone() const; // for tests / metrics
    // Calls `callback` (on this object's thread, from the event loop) once every status
    // scheduled so far is on disk. Used to acknowledge drain/cancel only when the state file
    // already says so. Never blocks; after timeoutMs the callback runs anyway (once).
    void whenWritten(std::function<void()> callback, int timeoutMs = 2000);

Q_SIGNALS:
    void writeFailed(const QString &error); // the first failure after successes

private:
    friend class StatusWriterThread;
    void handOver();
    void onWritten(quint64 upTo, bool ok, const QString &error);

    QString m_path;
    RuntimeStatus m_pending;
    bool m_hasPending = false;
    QTimer *m_timer = nullptr;
    StatusWriterThread *m_thread = nullptr;
    QList<QPair<quint64, std::function<void()>>> m_waiters;
    bool m_lastOk = true;
};

} // namespace sluice
