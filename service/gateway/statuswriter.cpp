#include "gateway/statuswriter.h"

#include "gateway/gatewaylogging.h"

#include "sluice/atomicjson.h"

#include <QMutex>
#include <QMutexLocker>
#include <QThread>
#include <QTimer>
#include <QWaitCondition>

#include <memory>

namespace sluice {

// Writes the latest status handed to it; older pending ones are simply replaced.
class StatusWriterThread : public QThread
{
public:
    StatusWriterThread(const QString &path, StatusWriter *owner)
        : m_path(path)
        , m_owner(owner)
    {}

    void submit(const RuntimeStatus &status)
    {
        QMutexLocker locker(&m_mutex);
        m_next = status;
        m_hasNext = true;
        ++m_submitted;
        m_wake.wakeAll();
    }
    quint64 submitted() const
    {
        QMutexLocker locker(&m_mutex);
        return m_submitted;
    }
    quint64 written() const
    {
        QMutexLocker locker(&m_mutex);
        return m_written;
    }
    // Blocks until everything submitted so far is on disk.
    void waitIdle()
    {
        QMutexLocker locker(&m_mutex);
        while (m_written < m_submitted)
            m_done.wait(&m_mutex);
    }
    void quitAndWait()
    {
        {
            QMutexLocker locker(&m_mutex);
            m_quit = true;
            m_wake.wakeAll();
        }
        wait();
    }
    void seal()
    {
        QMutexLocker locker(&m_mutex);
        m_sealed = true;
        while (m_writing)
            m_done.wait(&m_mutex);
    }
    int writes() const
    {
        QMutexLocker locker(&m_mutex);
        return m_writeCount;
    }
    bool lastOk(QString *error) const
    {
        QMutexLocker locker(&m_mutex);
        if (error)
            *error = m_lastError;
        return m_lastOk;
    }

protected:
    void run() override
    {
        for (;;) {
            RuntimeStatus status;
            quint64 upTo = 0;
            bool write = false;
            {
                QMutexLocker locker(&m_mutex);
                while (!m_hasNext && !m_quit)
                    m_wake.wait(&m_mutex);
                if (!m_hasNext && m_quit)
                    return;
                status = m_next;
                m_hasNext = false;
                upTo = m_submitted;
                m_writing = write = !m_sealed;
            }
            if (write && !finalStateOnDisk(status)) {
                status.updatedAt = isoUtcNow();
                QString error;
                const bool ok = writeJsonAtomically(m_path, status.toJson(), &error);
                if (!ok)
                    qCWarning(lcStatus).noquote()
                        << QStringLiteral("cannot write %1: %2").arg(m_path, error);
                QMutexLocker locker(&m_mutex);
                m_lastOk = ok;
                m_lastError = error;
            }
            bool ok = true;
            QString error;
            {
                QMutexLocker locker(&m_mutex);
                ok = m_lastOk;
                error = m_lastError;
                m_writing = false;
                m_written = upTo;
                ++m_writeCount;
                m_done.wakeAll();
            }
            // Tell the owner (on its thread) how far the file is now.
            StatusWriter *owner = m_owner;
            QMetaObject::invokeMethod(
                owner, [owner, upTo, ok, error] { owner->onWritten(upTo, ok, error); },
                Qt::QueuedConnection);
        }
    }

private:
    // A stop that ended outside the event loop (the watchdog) wrote `stopped` itself; a late
    // `stopping` from the event loop must not replace it.
    bool finalStateOnDisk(const RuntimeStatus &next) const
    {
        if (next.state != GatewayState::Stopping)
            return false;
        const JsonFile current = readJsonFile(m_path);
        if (!current.isObject())
            return false;
        const RuntimeStatus onDisk = RuntimeStatus::fromJson(current.object);
        return onDisk.pid == next.pid && onDisk.state == GatewayState::Stopped;
    }

    const QString m_path;
    StatusWriter *m_owner;
    mutable QMutex m_mutex;
    QWaitCondition m_wake;
    QWaitCondition m_done;
    RuntimeStatus m_next;
    bool m_hasNext = false;
    bool m_quit = false;
    bool m_sealed = false;
    bool m_writing = false;
    quint64 m_submitted = 0;
    quint64 m_written = 0;
    int m_writeCount = 0;
    bool m_lastOk = true;
    QString m_lastError;
};

StatusWriter::StatusWriter(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_timer(new QTimer(this))
    , m_thread(new StatusWriterThread(path, this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(0);
    connect(m_timer, &QTimer::timeout, this, &StatusWriter::handOver);
    m_thread->start();
}

StatusWriter::~StatusWriter()
{
    flush();
    m_thread->quitAndWait();
    delete m_thread;
}

void StatusWriter::schedule(const RuntimeStatus &status)
{
    m_pending = status;
    m_hasPending = true;
    if (!m_timer->isActive())
        m_timer->start();
}

void StatusWriter::handOver()
{
    if (!m_hasPending)
        return;
    m_hasPending = false;
    m_thread->submit(m_pending);
}

bool StatusWriter::flush(QString *error)
{
    m_timer->stop();
    handOver();
    m_thread->waitIdle();
    return m_thread->lastOk(error);
}

void StatusWriter::seal()
{
    m_thread->seal();
}

void StatusWriter::whenWritten(std::function<void()> callback, int timeoutMs)
{
    handOver(); // no need to wait for the 0-timer: the write starts now
    const quint64 target = m_thread->submitted();
    if (m_thread->written() >= target) {
        callback();
        return;
    }
    // Once: on the write, or when a stuck disk (e.g. a hung network filesystem) makes the
    // write take longer than timeoutMs — an answer must never depend on the disk for ever.
    auto fired = std::make_shared<bool>(false);
    auto once = [fired, callback = std::move(callback)] {
        if (*fired)
            return;
        *fired = true;
        callback();
    };
    m_waiters.append({target, once});
    QTimer::singleShot(timeoutMs, this, [fired, once] {
        if (*fired)
            return;
        qCWarning(lcStatus).noquote() << "state file write still pending; answering anyway";
        once();
    });
}

void StatusWriter::onWritten(quint64 upTo, bool ok, const QString &error)
{
    // Recovery is the storage probe's to find out; a writer only reports a new failure.
    if (ok != m_lastOk) {
        m_lastOk = ok;
        if (!ok)
            Q_EMIT writeFailed(error);
    }
    // Callbacks may schedule more writes or add waiters; take the due ones out first.
    QList<std::function<void()>> due;
    for (qsizetype i = 0; i < m_waiters.size();) {
        if (m_waiters.at(i).first <= upTo)
            due.append(m_waiters.takeAt(i).second);
        else
            ++i;
    }
    for (const auto &callback : std::as_const(due))
        callback();
}

int StatusWriter::writesDone() const
{
    return m_thread->writes();
}

} // namespace sluice
