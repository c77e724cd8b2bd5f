#pragma once
#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonValue>
#include <QVector>

class QTimer;

namespace sluice::gui {

// The active agents (docs/reference.md §10 `agents`): turn_id, session, pid, state, elapsed.
// Elapsed time ticks once per second from the service's elapsed_s at receipt plus local monotonic
// time, so it keeps moving between updates without asking the service.
class AgentsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    // Cpu, Memory: what the service's containment measures (docs/reference.md §7), "–" where it
    // cannot.
    enum Column { TurnId, Session, Pid, State, Elapsed, Cpu, Memory, ColumnCount };
    enum Role { ElapsedSecondsRole = Qt::UserRole + 1 };

    explicit AgentsModel(QObject *parent = nullptr);

    void setAgents(const QJsonArray &agents);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QString turnId(int row) const;
    QString session(int row) const;
    qint64 elapsedSeconds(int row) const;

    static QString formatElapsed(qint64 seconds); // "42 s", "3:07", "1:02:03"
    static QString formatBytes(double bytes);     // "812 KiB", "12.3 MiB", "1.5 GiB"

private:
    struct Agent
    {
        QString turnId;
        QString session;
        qint64 pid = -1;
        QString state;
        qint64 predecessorPid = -1; // run by a hand-off predecessor (docs/reference.md §6)
        double elapsedAtReceipt = 0;
        QJsonValue cpuSeconds;  // null or a number
        QJsonValue memoryBytes; // null or a number
        QElapsedTimer received;
    };
    void tick();

    QVector<Agent> m_agents;
    QTimer *m_tick = nullptr;
};

} // namespace sluice::gui
