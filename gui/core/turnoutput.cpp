#include "core/turnoutput.h"

#include "core/serviceconnection.h"

#include "sluice/protocol.h"
#include "sluice/states.h"

namespace sluice::gui {

static bool isFinalTurnState(const QString &state)
{
    return state == QLatin1String("done") || state == QLatin1String("failed") ||
           state == QLatin1String("interrupted") || state == QLatin1String("refused");
}

TurnOutput::TurnOutput(ServiceConnection *connection, QObject *parent)
    : QObject(parent)
    , m_conn(connection)
{
    connect(m_conn, &ServiceConnection::turnOutput, this, &TurnOutput::onOutput);
    connect(m_conn, &ServiceConnection::turnChanged, this,
            [this](const QString &id, const QString &, const QString &state,
                   const QJsonObject &event) { onTurn(id, state, event); });
    // A new connection knows nothing of our follow: ask again.
    connect(m_conn, &ServiceConnection::connectedChanged, this, [this](bool connected) {
        if (connected && m_live && !m_turnId.isEmpty()) {
            const QString id = m_turnId;
            m_turnId.clear();
            show(id);
        }
    });
}

TurnOutput::~TurnOutput()
{
    unfollow();
}

void TurnOutput::unfollow()
{
    if (m_live && !m_turnId.isEmpty() && m_conn->isReachable())
        m_conn->query(QLatin1String(Protocol::Cmd::Unfollow), {{"turn_id", m_turnId}}, {});
    m_live = false;
}

void TurnOutput::show(const QString &turnId)
{
    if (turnId == m_turnId)
        return;
    unfollow();
    m_turnId = turnId;
    m_state.clear();
    m_stdoutEnd = -1;
    m_stderrEnd = -1;
    const quint64 id = ++m_request;
    if (turnId.isEmpty()) {
        Q_EMIT reset(QString(), QString(), QString(), QString());
        return;
    }
    const bool canFollow = m_conn->hasFeature(QLatin1String(Protocol::Cmd::Follow));
    const QString cmd =
        canFollow ? QLatin1String(Protocol::Cmd::Follow) : QLatin1String(Protocol::Cmd::Turn);
    m_live = canFollow;
    m_conn->query(cmd, {{"turn_id", turnId}}, [this, id, turnId](const IpcReply &r) {
        if (id != m_request)
            return;
        if (!r.ok) {
            m_live = false;
            Q_EMIT failed(
                r.errorCode == QLatin1String(Protocol::Error::NotFound)
                    ? tr("The service does not know turn %1.").arg(turnId)
                    : tr("The output of turn %1 cannot be read: %2")
                          .arg(turnId, r.errorMessage.isEmpty() ? r.errorCode : r.errorMessage));
            return;
        }
        const QString output = r.body.value(QLatin1String("output")).toString();
        m_state = r.body.value(QLatin1String("state")).toString();
        const QJsonValue offset = r.body.value(QLatin1String("offset"));
        m_stdoutEnd = offset.isDouble() ? offset.toInteger() : output.toUtf8().size();
        m_stderrEnd = 0;
        Q_EMIT reset(turnId, r.body.value(QLatin1String("session")).toString(), m_state, output);
        if (isFinalTurnState(m_state)) {
            m_live = false;
            Q_EMIT finished(m_state, r.body.value(QLatin1String("exit_code")));
        }
    });
}

void TurnOutput::onOutput(const QString &turnId, const QString &stream, qint64 offset,
                          const QString &data, qint64 skipped)
{
    if (turnId != m_turnId || m_stdoutEnd < 0)
        return; // another turn's, or from before the follow reply (already in it)
    const bool isStderr = stream == QLatin1String("stderr");
    qint64 &end = isStderr ? m_stderrEnd : m_stdoutEnd;
    QByteArray bytes = data.toUtf8();
    if (skipped > 0)
        Q_EMIT gap(stream, skipped);
    if (offset > end && !isStderr && skipped <= 0)
        Q_EMIT gap(stream, offset - end);
    if (offset < end) {
        // Partly shown in the follow reply already: keep only the new tail.
        const qint64 overlap = end - offset;
        if (overlap >= bytes.size())
            return;
        bytes = bytes.mid(overlap);
        offset = end;
    }
    end = offset + bytes.size();
    Q_EMIT appended(isStderr ? QStringLiteral("stderr") : QStringLiteral("stdout"),
                    QString::fromUtf8(bytes));
}

void TurnOutput::onTurn(const QString &turnId, const QString &state, const QJsonObject &event)
{
    if (turnId != m_turnId || state == m_state)
        return;
    m_state = state;
    if (isFinalTurnState(state)) {
        m_live = false;
        Q_EMIT finished(state, event.value(QLatin1String("exit_code")));
    }
}

} // namespace sluice::gui
