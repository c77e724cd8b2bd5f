#include "app/supervisorlink.h"

#include "app/daemonlogging.h"
#include "gateway/gateway.h"
#include "supervisor/supervisoralignment.h"
#include "supervisor/systemdnotifier.h"

#include <QCoreApplication>

#include <cmath>

namespace sluice {

SupervisorLink::SupervisorLink(Gateway *gateway, double drainTimeoutS, double interruptGraceS,
                               QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_notifier(new SystemdNotifier(this))
    , m_drainTimeoutS(drainTimeoutS)
    , m_interruptGraceS(interruptGraceS)
{
    if (m_notifier->isEnabled())
        qCInfo(lcDaemon).noquote() << "systemd notify socket" << qgetenv("NOTIFY_SOCKET")
                                   << (m_notifier->watchdogEnabled() ? "with watchdog" : "");
    connect(gateway, &Gateway::stateChanged, m_notifier, [this](GatewayState s) {
        m_notifier->setStatus(wireName(s), m_gateway->runtimeStatus().activeAgents);
        if (s == GatewayState::Running || s == GatewayState::Draining)
            m_notifier->ready(); // once: the listeners are up and the gate decided
    });
    connect(gateway, &Gateway::activeAgentsChanged, m_notifier,
            [this](int n) { m_notifier->setStatus(wireName(m_gateway->state()), n); });
    connect(gateway, &Gateway::stopBegan, m_notifier, [this](StopCause cause) {
        const double drainS = cause == StopCause::ForceRestart ? 0.0 : m_drainTimeoutS;
        m_notifier->stopBegan(drainS, m_interruptGraceS);
    });
    connect(qApp, &QCoreApplication::aboutToQuit, m_notifier, &SystemdNotifier::stopFinished);
    checkAlignment();
}

bool SupervisorLink::underNotify() const
{
    return m_notifier->isEnabled();
}

void SupervisorLink::handOver(qint64 successorPid)
{
    m_notifier->handOver(successorPid);
}

void SupervisorLink::checkAlignment()
{
    const bool systemd = SupervisorAlignment::underSystemd();
    m_gateway->setSupervisorInfo(
        {{QStringLiteral("manager"), systemd ? QStringLiteral("systemd") : QStringLiteral("none")},
         {QStringLiteral("checked"), false},
         {QStringLiteral("aligned"), true}});
    if (!systemd)
        return;
    auto *alignment = new SupervisorAlignment(m_drainTimeoutS, m_interruptGraceS, this);
    connect(alignment, &SupervisorAlignment::finished, m_gateway,
            [this, alignment](const QJsonObject &result) {
                m_gateway->setSupervisorInfo(result);
                alignment->deleteLater();
            });
    alignment->start();
}

} // namespace sluice
