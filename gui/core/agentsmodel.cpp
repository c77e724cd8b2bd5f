#include "core/agentsmodel.h"

#include "core/turnsmodel.h"

#include <QDateTime>
#include <QJsonObject>
#include <QTimer>

namespace sluice::gui {

AgentsModel::AgentsModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_tick(new QTimer(this))
{
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &AgentsModel::tick);
}

static QString idString(const QJsonValue &v)
{
    return v.isString() ? v.toString() : QString::number(v.toInteger());
}

void AgentsModel::setAgents(const QJsonArray &agents)
{
    QVector<Agent> next;
    next.reserve(agents.size());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const QJsonValue &v : agents) {
        const QJsonObject o = v.toObject();
        Agent a;
        a.turnId = idString(o.value(QLatin1String("turn_id")));
        a.session = o.value(QLatin1String("session")).toString();
        a.pid = o.value(QLatin1String("pid")).toInteger(-1);
        a.state = o.value(QLatin1String("state")).toString();
        if (o.value(QLatin1String("generation")).toString() == QLatin1String("predecessor"))
            a.predecessorPid = o.value(QLatin1String("service_pid")).toInteger(-1);
        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        a.cpuSeconds = usage.value(QLatin1String("cpu_s"));
        a.memoryBytes = usage.value(QLatin1String("memory_bytes"));
        if (o.contains(QLatin1String("elapsed_s"))) {
            a.elapsedAtReceipt = o.value(QLatin1String("elapsed_s")).toDouble();
        } else {
            const QDateTime started = QDateTime::fromString(
                o.value(QLatin1String("started_at")).toString(), Qt::ISODateWithMs);
            a.elapsedAtReceipt = started.isValid() ? started.msecsTo(now) / 1000.0 : 0;
        }
        a.received.start();
        next.append(a);
    }
    beginResetModel();
    m_agents = next;
    endResetModel();
    if (m_agents.isEmpty())
        m_tick->stop();
    else if (!m_tick->isActive())
        m_tick->start();
}

void AgentsModel::tick()
{
    if (!m_agents.isEmpty())
        Q_EMIT dataChanged(index(0, Elapsed), index(int(m_agents.size()) - 1, Elapsed));
}

int AgentsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_agents.size());
}

int AgentsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AgentsModel::turnId(int row) const
{
    return row >= 0 && row < m_agents.size() ? m_agents.at(row).turnId : QString();
}

QString AgentsModel::session(int row) const
{
    return row >= 0 && row < m_agents.size() ? m_agents.at(row).session : QString();
}

qint64 AgentsModel::elapsedSeconds(int row) const
{
    if (row < 0 || row >= m_agents.size())
        return 0;
    const Agent &a = m_agents.at(row);
    return qint64(a.elapsedAtReceipt + a.received.elapsed() / 1000.0);
}

QString AgentsModel::formatElapsed(qint64 s)
{
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

QVariant AgentsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_agents.size())
        return {};
    const Agent &a = m_agents.at(index.row());
    if (role == ElapsedSecondsRole)
        return elapsedSeconds(index.row());
    if (role == Qt::TextAlignmentRole && index.column() != TurnId && index.column() != Session &&
        index.column() != State)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TurnId:
        return a.turnId;
    case Session:
        return a.session;
    case Pid:
        return a.pid > 0 ? QVariant(a.pid) : QVariant();
    case State:
        // Finishing in the process a hand-off restart replaced: say so, it ends there.
        return a.predecessorPid > 0 ? tr("%1 (previous process %2)")
                                          .arg(TurnsModel::stateDisplayName(a.state))
                                          .arg(a.predecessorPid)
                                    : TurnsModel::stateDisplayName(a.state);
    case Elapsed:
        return formatElapsed(elapsedSeconds(index.row()));
    case Cpu:
        return a.cpuSeconds.isDouble() ? tr("%1 s").arg(a.cpuSeconds.toDouble(), 0, 'f', 1)
                                       : QStringLiteral("–");
    case Memory:
        return a.memoryBytes.isDouble() ? formatBytes(a.memoryBytes.toDouble())
                                        : QStringLiteral("–");
    default:
        return {};
    }
}

QString AgentsModel::formatBytes(double bytes)
{
    if (bytes < 1024.0 * 1024.0)
        return QStringLiteral("%1 KiB").arg(qRound(bytes / 1024.0));
    if (bytes < 1024.0 * 1024.0 * 1024.0)
        return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024.0), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(bytes / (1024.0 * 1024.0 * 1024.0), 0, 'f', 1);
}

QVariant AgentsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TurnId:
        return tr("Turn");
    case Session:
        return tr("Session");
    case Pid:
        return tr("PID");
    case State:
        return tr("State");
    case Elapsed:
        return tr("Elapsed");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    default:
        return {};
    }
}

} // namespace sluice::gui
