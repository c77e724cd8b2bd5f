#pragma once
#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QTimer;

namespace sluice {

// The systemd notify protocol without libsystemd (docs/reference.md §9): one datagram per message
// to $NOTIFY_SOCKET (a path, or an abstract address when it starts with '@'). Disabled (every call
// a no-op) when NOTIFY_SOCKET is not set.
//
// Wiring: ready() once the listeners are up; setStatus() on every state / active-count change;
// stopBegan() at the `begin` phase of a stop; stopFinished() before exit.
class SystemdNotifier : public QObject
{
    Q_OBJECT
public:
    struct Environment
    {
        QByteArray notifySocket; // $NOTIFY_SOCKET; empty = disabled
        qint64 watchdogUsec = 0; // $WATCHDOG_USEC; 0 = no watchdog
        qint64 watchdogPid = 0;  // $WATCHDOG_PID; 0 = any (ours)
        static Environment fromProcess();
    };

    explicit SystemdNotifier(QObject *parent = nullptr); // reads the process environment
    SystemdNotifier(const Environment &env, QObject *parent = nullptr);

    bool isEnabled() const { return !m_env.notifySocket.isEmpty(); }
    bool watchdogEnabled() const;

    // Sends one datagram; false (logged) when it could not.
    bool notify(const QByteArray &message);
    // Sends `message` to the socket address `address` (path or @abstract).
    static bool sendDatagram(const QByteArray &address, const QByteArray &message,
                             QString *error = nullptr);

public Q_SLOTS:
    // READY=1 plus the current status line; starts WATCHDOG=1 pings when asked for.
    void ready();
    // STATUS=<state>, <n> active — sent only when it changed.
    void setStatus(const QString &state, int activeAgents);
    // STOPPING=1 and EXTEND_TIMEOUT_USEC= covering drain + grace + reserve, re-sent at least
    // every half of the extension until stopFinished().
    void stopBegan(double drainTimeoutS, double interruptGraceS);
    void stopFinished();
    // A hand-off restart: MAINPID= names the successor, which speaks for the unit from now
    // on; this process says nothing more (no STOPPING=1 for its own drain, no watchdog).
    void handOver(qint64 successorPid);

private:
    void sendExtension();

    Environment m_env;
    QTimer *m_watchdog = nullptr;
    QTimer *m_extend = nullptr;
    QElapsedTimer m_stopClock;
    qint64 m_stopBudgetUs = 0;
    bool m_readySent = false;
    bool m_stopping = false;
    QByteArray m_lastStatus;
};

} // namespace sluice
