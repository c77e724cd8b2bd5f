#include "core/turnsmodel.h"

#include "core/agentsmodel.h"
#include "core/serviceconnection.h"

#include "sluice/protocol.h"

#include <QDateTime>
#include <QLocale>
#include <QTimer>
#include <algorithm>

namespace sluice::gui {

static QString idString(const QJsonValue &v)
{
    return v.isString() ? v.toString() : QString::number(v.toInteger());
}

TurnsModel::TurnsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void TurnsModel::setTurns(const QJsonArray &turns)
{
    beginResetModel();
    m_turns.clear();
    for (const QJsonValue &v : turns)
        m_turns.append(v.toObject());
    endResetModel();
}

QJsonObject TurnsModel::turn(int row) const
{
    return row >= 0 && row < m_turns.size() ? m_turns.at(row) : QJsonObject();
}

QString TurnsModel::turnId(int row) const
{
    return idString(turn(row).value(QLatin1String("turn_id")));
}

int TurnsModel::rowOf(const QString &turnId) const
{
    for (int i = 0; i < m_turns.size(); ++i)
        if (this->turnId(i) == turnId)
            return i;
    return -1;
}

int TurnsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_turns.size());
}

int TurnsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TurnsModel::stateDisplayName(const QString &s)
{
    if (s == QLatin1String("queued"))
        return tr("queued");
    if (s == QLatin1String("running"))
        return tr("running");
    if (s == QLatin1String("done"))
        return tr("done");
    if (s == QLatin1String("failed"))
        return tr("failed");
    if (s == QLatin1String("interrupted"))
        return tr("interrupted");
    if (s == QLatin1String("refused"))
        return tr("refused");
    return s;
}

QVariant TurnsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_turns.size())
        return {};
    const QJsonObject &t = m_turns.at(index.row());
    const QString state = t.value(QLatin1String("state")).toString();
    switch (role) {
    case TurnIdRole:
        return idString(t.value(QLatin1String("turn_id")));
    case StateRole:
        return state;
    case QueuePositionRole:
        return t.value(QLatin1String("queue_position")).toInt(0);
    case Qt::ToolTipRole:
        if (index.column() == Preview)
            return t.value(QLatin1String("preview")).toString();
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Duration || index.column() == ExitCode)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TurnId:
        return idString(t.value(QLatin1String("turn_id")));
    case Session:
        return t.value(QLatin1String("session")).toString();
    case State: {
        const int pos = t.value(QLatin1String("queue_position")).toInt(0);
        if (state == QLatin1String("queued") && pos > 0)
            return tr("queued (#%1)").arg(pos);
        return stateDisplayName(state);
    }
    case Started: {
        QString at = t.value(QLatin1String("started_at")).toString();
        if (at.isEmpty())
            at = t.value(QLatin1String("created_at")).toString();
        const QDateTime when = QDateTime::fromString(at, Qt::ISODateWithMs);
        if (!when.isValid())
            return QString();
        const QDateTime local = when.toLocalTime();
        return local.date() == QDate::currentDate()
                   ? QLocale().toString(local.time(), QLocale::ShortFormat)
                   : QLocale().toString(local, QLocale::ShortFormat);
    }
    case Duration: {
        // A running turn's duration in the list would stand still; the agents tab ticks it.
        if (state == QLatin1String("running") || state == QLatin1String("queued"))
            return QString();
        const QJsonValue d = t.value(QLatin1String("duration_s"));
        return d.isDouble() ? AgentsModel::formatElapsed(qint64(qBound(0.0, d.toDouble(), 1e12)))
                            : QString();
    }
    case ExitCode: {
        const QJsonValue c = t.value(QLatin1String("exit_code"));
        return c.isDouble() ? QString::number(c.toInt()) : QString();
    }
    case Preview:
        return t.value(QLatin1String("preview")).toString().simplified();
    default:
        return {};
    }
}

QVariant TurnsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TurnId:
        return tr("Turn");
    case Session:
        return tr("Session");
    case State:
        return tr("State");
    case Started:
        return tr("Started");
    case Duration:
        return tr("Duration");
    case ExitCode:
        return tr("Exit");
    case Preview:
        return tr("Output");
    default:
        return {};
    }
}

TurnHistory::TurnHistory(ServiceConnection *connection, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
    , m_model(new TurnsModel(this))
    , m_debounce(new QTimer(this))
{
    // Many turns change state at once (a drain, a restart): one list request for all.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &TurnHistory::refresh);
    connect(m_conn, &ServiceConnection::turnChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_conn, &ServiceConnection::connectedChanged, this, [this](bool connected) {
        if (connected)
            m_debounce->start();
    });
}

void TurnHistory::setSessionFilter(const QString &session)
{
    if (session == m_session)
        return;
    m_session = session;
    refresh();
}

void TurnHistory::refresh()
{
    const quint64 id = ++m_request;
    QJsonObject args{{"limit", m_limit}};
    if (!m_session.isEmpty())
        args.insert(QStringLiteral("session"), m_session);
    m_conn->query(QLatin1String(Protocol::Cmd::Turns), args, [this, id](const IpcReply &r) {
        if (id != m_request)
            return;
        if (!r.ok) {
            m_error = r.errorCode == QLatin1String(Protocol::Error::UnknownCommand)
                          ? tr("This service does not keep a turn history.")
                          : tr("The list of turns is not available: %1")
                                .arg(r.errorMessage.isEmpty() ? r.errorCode : r.errorMessage);
            Q_EMIT refreshed();
            return;
        }
        m_error.clear();
        const QJsonArray turns = r.body.value(QLatin1String("turns")).toArray();
        for (const QJsonValue &v : turns) {
            const QString s = v.toObject().value(QLatin1String("session")).toString();
            if (!s.isEmpty() && !m_sessions.contains(s))
                m_sessions << s;
        }
        std::sort(m_sessions.begin(), m_sessions.end());
        m_model->setTurns(turns);
        Q_EMIT refreshed();
    });
    m_conn->query(QLatin1String(Protocol::Cmd::Turns), {{"state", "queued"}, {"limit", m_limit}},
                  [this, id](const IpcReply &r) {
                      if (id != m_request)
                          return;
                      // Newest first on the wire; the queue reads in its order.
                      QVector<QJsonObject> list;
                      if (r.ok)
                          for (const QJsonValue &v : r.body.value(QLatin1String("turns")).toArray())
                              list.append(v.toObject());
                      std::stable_sort(list.begin(), list.end(),
                                       [](const QJsonObject &a, const QJsonObject &b) {
                                           return a.value(QLatin1String("queue_position")).toInt() <
                                                  b.value(QLatin1String("queue_position")).toInt();
                                       });
                      QJsonArray queued;
                      for (const QJsonObject &o : std::as_const(list))
                          queued.append(o);
                      if (queued != m_queued) {
                          m_queued = queued;
                          Q_EMIT refreshed();
                      }
                  });
}

} // namespace sluice::gui
