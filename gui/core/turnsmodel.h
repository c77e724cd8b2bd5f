#pragma once
#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QVector>

class QTimer;

namespace sluice::gui {

class ServiceConnection;

// Recent turns from the service's session store (IPC `turns`, newest first): turn, session,
// state (with the queue position of a queued turn), start time, duration, exit code and the
// start of the output.
class TurnsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TurnId, Session, State, Started, Duration, ExitCode, Preview, ColumnCount };
    enum Role { TurnIdRole = Qt::UserRole + 1, StateRole, QueuePositionRole };

    explicit TurnsModel(QObject *parent = nullptr);

    void setTurns(const QJsonArray &turns);
    QJsonObject turn(int row) const;
    QString turnId(int row) const;
    int rowOf(const QString &turnId) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString stateDisplayName(const QString &wireState); // "done" -> "done" (translated)

private:
    QVector<QJsonObject> m_turns;
};

// Keeps a TurnsModel filled: lists on connect, again shortly after any turn changes state, and
// when the session filter changes. The queued turns (with their position) are listed apart, for
// the agents view, whatever the filter.
class TurnHistory : public QObject
{
    Q_OBJECT
public:
    TurnHistory(ServiceConnection *connection, QObject *parent = nullptr);

    TurnsModel *model() const { return m_model; }
    void setSessionFilter(const QString &session); // empty: every session
    QString sessionFilter() const { return m_session; }
    void setLimit(int limit) { m_limit = limit; }
    QJsonArray queued() const { return m_queued; }      // oldest first
    QStringList sessions() const { return m_sessions; } // seen so far, sorted
    QString error() const { return m_error; }           // why the list is empty, or empty

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();

private:
    ServiceConnection *m_conn;
    TurnsModel *m_model;
    QTimer *m_debounce;
    QString m_session;
    QJsonArray m_queued;
    QStringList m_sessions;
    QString m_error;
    int m_limit = 100;
    quint64 m_request = 0; // the newest list request; older replies are dropped
};

} // namespace sluice::gui
