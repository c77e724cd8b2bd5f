#pragma once
#include <QObject>

namespace sluice {

class Gateway;
class SystemdNotifier;

// The gateway as a service manager sees it: SystemdNotifier follows the gateway (READY=1 once
// serving, STATUS= on every change, STOPPING=1 + EXTEND_TIMEOUT_USEC= from stopBegan,
// WATCHDOG=1 when asked for), and under systemd the stop-timeout alignment check runs once
// and its result becomes the status field `supervisor`.
class SupervisorLink : public QObject
{
    Q_OBJECT
public:
    SupervisorLink(Gateway *gateway, double drainTimeoutS, double interruptGraceS,
                   QObject *parent = nullptr);

    bool underNotify() const; // NOTIFY_SOCKET: systemd can be told a new main pid
    void handOver(qint64 successorPid);

private:
    void checkAlignment();

    Gateway *m_gateway;
    SystemdNotifier *m_notifier;
    double m_drainTimeoutS;
    double m_interruptGraceS;
};

} // namespace sluice
