#include "turns/processgroupcontainment.h"

#include "app/daemonlogging.h"
#include "turns/processtree.h"

#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace sluice {

namespace {

constexpr int EmptyCheckMs = 100;

class ProcessGroupContainer : public TurnContainer
{
public:
    ProcessGroupContainer(const QString &turnId, QObject *parent)
        : TurnContainer(parent)
        , m_tag(QByteArrayLiteral("SLUICE_TURN_ID=") + turnId.toLatin1())
        , m_timer(new QTimer(this))
    {
        m_timer->setInterval(EmptyCheckMs);
        connect(m_timer, &QTimer::timeout, this, [this] { check(); });
    }

    bool prepare(QString *) override { return true; }
    std::function<void()> childSetup() override { return {}; } // setsid: TurnProcess
    void attach(qint64 leaderPid) override { m_sid = leaderPid; }

    void leaderExited() override
    {
        m_leaderExited = true;
        check();
        if (!m_emptied)
            m_timer->start();
    }

    void terminate() override { signalAll(SIGTERM); }

    void kill() override
    {
        m_killing = true;
        signalAll(SIGKILL);
    }

    bool isEmpty() const override { return ProcessTree::turnProcesses(m_sid, m_tag).isEmpty(); }

    TurnUsage usage() const override
    {
        TurnUsage u;
        u.processes = ProcessTree::turnProcesses(m_sid, m_tag).size();
        return u;
    }

    QString limitReason() const override { return QString(); }

private:
    void signalAll(int sig)
    {
        if (m_sid <= 1)
            return;
        ::kill(pid_t(-m_sid), sig); // the group; ESRCH once it is empty
        const QList<qint64> pids = ProcessTree::turnProcesses(m_sid, m_tag);
        for (qint64 pid : pids)
            ::kill(pid_t(pid), sig);
        if (sig == SIGTERM)
            qCInfo(lcTurns).noquote()
                << QStringLiteral("SIGTERM to process group %1 and %2 tagged processes")
                       .arg(m_sid)
                       .arg(pids.size());
    }

    void check()
    {
        ProcessTree::reapOrphans(); // killed descendants reparented to us are our zombies
        if (m_emptied || !m_leaderExited)
            return;
        if (!isEmpty()) {
            if (m_killing)
                signalAll(SIGKILL); // late forks during the kill
            return;
        }
        m_emptied = true;
        m_timer->stop();
        QTimer::singleShot(0, this, [this] { Q_EMIT emptied(); });
    }

    QByteArray m_tag;
    QTimer *m_timer;
    qint64 m_sid = -1;
    bool m_leaderExited = false;
    bool m_killing = false;
    bool m_emptied = false;
};

} // namespace

QJsonObject ProcessGroupContainment::describe() const
{
    return QJsonObject{
        {QStringLiteral("mode"), QStringLiteral("process-group")},
        {QStringLiteral("note"), QStringLiteral("a process that leaves the session and clears its "
                                                "environment escapes")}};
}

TurnContainer *ProcessGroupContainment::createContainer(const QString &turnId, QObject *parent)
{
    return new ProcessGroupContainer(turnId, parent);
}

} // namespace sluice
