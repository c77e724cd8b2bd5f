#include "turns/processgroupcontainment.h"

#include "sluice/logging.h"
#include "turns/turnslogging.h"

#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace sluice {

namespace {
constexpr int EmptyCheckMs = 100;
}

class ProcessGroupContainer : public TurnContainer
{
public:
    ProcessGroupContainer(const QString &turnId, ProcessGroupContainment *owner, QObject *parent)
        : TurnContainer(parent)
        , m_turnId(turnId.toLatin1())
        , m_owner(owner)
    {}
    ~ProcessGroupContainer() override { m_owner->forget(this); }

    bool prepare(QString *) override { return true; }
    std::function<void()> childSetup() override { return {}; } // setsid: TurnProcess
    void attach(qint64 leaderPid) override { m_sid = leaderPid; }

    void leaderExited() override
    {
        m_leaderExited = true;
        m_owner->waitForEmpty(this);
    }

    void terminate() override { signalAll(SIGTERM, m_owner->snapshot()); }

    void kill() override
    {
        m_killing = true;
        signalAll(SIGKILL, m_owner->snapshot());
    }

    bool isEmpty() const override
    {
        return ProcessTree::Snapshot::take().turnProcesses(m_sid, m_turnId).isEmpty();
    }

    // Counting would walk the process table for every turn of every `agents` request.
    TurnUsage usage() const override { return TurnUsage(); }
    QString limitReason() const override { return QString(); }

    // One tick of the owner: true once nothing of the turn is left.
    bool checkEmpty(const ProcessTree::Snapshot &snapshot)
    {
        if (m_emptied)
            return true;
        if (!snapshot.turnProcesses(m_sid, m_turnId).isEmpty()) {
            if (m_killing)
                signalAll(SIGKILL, snapshot); // late forks during the kill
            return false;
        }
        m_emptied = true;
        QTimer::singleShot(0, this, [this] { Q_EMIT emptied(); });
        return true;
    }

private:
    void signalAll(int sig, const ProcessTree::Snapshot &snapshot)
    {
        if (m_sid <= 1)
            return;
        ::kill(pid_t(-m_sid), sig); // the group; ESRCH once it is empty
        const QList<qint64> pids = snapshot.turnProcesses(m_sid, m_turnId);
        for (qint64 pid : pids)
            ::kill(pid_t(pid), sig);
        if (sig == SIGTERM)
            qCInfo(lcTurns).noquote()
                << QStringLiteral("SIGTERM to process group %1 and %2 of the turn")
                       .arg(m_sid)
                       .arg(counted(pids.size(), "process", "processes"));
    }

    QByteArray m_turnId;
    ProcessGroupContainment *m_owner;
    qint64 m_sid = -1;
    bool m_leaderExited = false;
    bool m_killing = false;
    bool m_emptied = false;
};

ProcessGroupContainment::ProcessGroupContainment()
    : m_timer(new QTimer(this))
{
    m_timer->setInterval(EmptyCheckMs);
    connect(m_timer, &QTimer::timeout, this, &ProcessGroupContainment::tick);
}

QJsonObject ProcessGroupContainment::describe() const
{
    return QJsonObject{
        {QStringLiteral("mode"), QStringLiteral("process-group")},
        {QStringLiteral("note"), QStringLiteral("a process that leaves the session and clears its "
                                                "environment escapes")}};
}

void ProcessGroupContainment::killAllNow()
{
    // From the watchdog's thread, with the event loop possibly stuck: nothing shared, one walk
    // of the process table, SIGKILL to everything below sluiced (setsid'd leftovers included).
    const QList<qint64> pids = ProcessTree::Snapshot::take().descendants();
    for (qint64 pid : pids)
        ::kill(pid_t(pid), SIGKILL);
}

TurnContainer *ProcessGroupContainment::createContainer(const QString &turnId, QObject *parent)
{
    return new ProcessGroupContainer(turnId, this, parent);
}

const ProcessTree::Snapshot &ProcessGroupContainment::snapshot()
{
    if (!m_snapshot) {
        m_snapshot = ProcessTree::Snapshot::take();
        QTimer::singleShot(0, this, [this] { m_snapshot.reset(); });
    }
    return *m_snapshot;
}

void ProcessGroupContainment::waitForEmpty(ProcessGroupContainer *container)
{
    if (!m_waiting.contains(container))
        m_waiting.append(container);
    // The first check right away, from the event loop: most agents leave nothing behind.
    if (!m_timer->isActive()) {
        QTimer::singleShot(0, this, &ProcessGroupContainment::tick);
        m_timer->start();
    }
}

void ProcessGroupContainment::forget(ProcessGroupContainer *container)
{
    m_waiting.removeAll(container);
}

void ProcessGroupContainment::tick()
{
    ProcessTree::reapOrphans(); // killed descendants reparented to us are our zombies
    if (m_waiting.isEmpty()) {
        m_timer->stop();
        return;
    }
    const ProcessTree::Snapshot now = ProcessTree::Snapshot::take();
    const QList<ProcessGroupContainer *> waiting = m_waiting;
    for (ProcessGroupContainer *c : waiting) {
        if (c->checkEmpty(now))
            m_waiting.removeAll(c);
    }
    if (m_waiting.isEmpty())
        m_timer->stop();
}

void ProcessGroupContainment::killForeignTurn(const QString &, qint64 leaderPid)
{
    // Each turn is its own process group led by its first process.
    if (leaderPid > 1)
        ::kill(-pid_t(leaderPid), SIGKILL);
}

} // namespace sluice
