#pragma once
#include <QObject>
#include <QString>

namespace sluice::gui {

class ServiceConnection;

// The output of one turn as it arrives: `follow` gives what is there so far (and its offset),
// then `turn_output` events bring each new chunk of stdout or stderr, and the `turn` event its
// end. Chunks already shown (overlap with the reply) are dropped; a gap (bytes the service
// skipped for a slow reader) is reported as such. A finished turn is read whole with `turn`.
// Only one turn is followed at a time; switching unfollows the previous one.
class TurnOutput : public QObject
{
    Q_OBJECT
public:
    explicit TurnOutput(ServiceConnection *connection, QObject *parent = nullptr);
    ~TurnOutput() override;

    void show(const QString &turnId); // empty: show nothing
    QString turnId() const { return m_turnId; }
    QString state() const { return m_state; }
    bool isLive() const { return m_live; }

Q_SIGNALS:
    // Everything shown so far was replaced (a new turn, or its whole output).
    void reset(const QString &turnId, const QString &session, const QString &state,
               const QString &stdoutText);
    void appended(const QString &stream, const QString &text); // "stdout" / "stderr"
    void gap(const QString &stream, qint64 bytes);
    void finished(const QString &state, const QJsonValue &exitCode);
    void failed(const QString &message);

private:
    void unfollow();
    void onOutput(const QString &turnId, const QString &stream, qint64 offset, const QString &data,
                  qint64 skipped);
    void onTurn(const QString &turnId, const QString &state, const QJsonObject &event);

    ServiceConnection *m_conn;
    QString m_turnId;
    QString m_state;
    qint64 m_stdoutEnd = -1; // bytes of stdout shown; -1 before the follow reply
    qint64 m_stderrEnd = -1;
    bool m_live = false;
    quint64 m_request = 0;
};

} // namespace sluice::gui
