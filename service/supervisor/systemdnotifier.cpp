#include "supervisor/systemdnotifier.h"

#include "supervisor/stopbudget.h"
#include "supervisor/supervisorlog.h"

#include <QCoreApplication>
#include <QTimer>
#include <QtGlobal>

#include <algorithm>
#include <cstring>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstddef>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace sluice {

SystemdNotifier::Environment SystemdNotifier::Environment::fromProcess()
{
    Environment env;
    env.notifySocket = qgetenv("NOTIFY_SOCKET");
    env.watchdogUsec = qEnvironmentVariable("WATCHDOG_USEC").toLongLong();
    env.watchdogPid = qEnvironmentVariable("WATCHDOG_PID").toLongLong();
    return env;
}

SystemdNotifier::SystemdNotifier(QObject *parent)
    : SystemdNotifier(Environment::fromProcess(), parent)
{}

SystemdNotifier::SystemdNotifier(const Environment &env, QObject *parent)
    : QObject(parent)
    , m_env(env)
    , m_watchdog(new QTimer(this))
    , m_extend(new QTimer(this))
{
    connect(m_watchdog, &QTimer::timeout, this, [this] { notify("WATCHDOG=1"); });
    connect(m_extend, &QTimer::timeout, this, &SystemdNotifier::sendExtension);
}

bool SystemdNotifier::watchdogEnabled() const
{
    if (!isEnabled() || m_env.watchdogUsec <= 0)
        return false;
    // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the
    // variables must not ping on the service's behalf.
    return m_env.watchdogPid <= 0 || m_env.watchdogPid == QCoreApplication::applicationPid();
}

bool SystemdNotifier::notify(const QByteArray &message)
{
    if (!isEnabled())
        return false;
    QString error;
    if (!sendDatagram(m_env.notifySocket, message, &error)) {
        qCWarning(lcSupervisor).noquote() << "sd_notify" << message << "failed:" << error;
        return false;
    }
    qCDebug(lcSupervisor).noquote() << "sd_notify" << message;
    return true;
}

bool SystemdNotifier::sendDatagram(const QByteArray &address, const QByteArray &message,
                                   QString *error)
{
#ifdef Q_OS_UNIX
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (address.isEmpty() || (address[0] != '/' && address[0] != '@'))
        return fail(QStringLiteral("unsupported NOTIFY_SOCKET address"));
    sockaddr_un sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (size_t(address.size()) >= sizeof sa.sun_path)
        return fail(QStringLiteral("NOTIFY_SOCKET address too long"));
    std::memcpy(sa.sun_path, address.constData(), size_t(address.size()));
    socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(address.size()));
    if (address[0] == '@')
        sa.sun_path[0] = '\0'; // abstract: the exact length matters, no trailing NUL counted
    else
        len += 1; // include the terminating NUL of a path address

    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    ssize_t sent;
    do {
        sent = ::sendto(fd, message.constData(), size_t(message.size()), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr *>(&sa), len);
    } while (sent < 0 && errno == EINTR);
    const int savedErrno = errno;
    ::close(fd);
    if (sent < 0)
        return fail(QString::fromLocal8Bit(std::strerror(savedErrno)));
    return true;
#else
    Q_UNUSED(address);
    Q_UNUSED(message);
    if (error)
        *error = QStringLiteral("sd_notify is Unix only");
    return false;
#endif
}

void SystemdNotifier::ready()
{
    if (!isEnabled() || m_readySent)
        return;
    m_readySent = true;
    QByteArray msg = "READY=1";
    if (!m_lastStatus.isEmpty())
        msg += "\nSTATUS=" + m_lastStatus;
    notify(msg);
    if (watchdogEnabled()) {
        m_watchdog->start(int(std::max<qint64>(m_env.watchdogUsec / 2000, 100)));
        notify("WATCHDOG=1");
    }
}

void SystemdNotifier::setStatus(const QString &state, int activeAgents)
{
    const QByteArray line = QStringLiteral("%1, %2 active").arg(state).arg(activeAgents).toUtf8();
    if (line == m_lastStatus)
        return;
    m_lastStatus = line;
    if (m_readySent || m_stopping)
        notify("STATUS=" + line);
}

void SystemdNotifier::stopBegan(double drainTimeoutS, double interruptGraceS)
{
    if (!isEnabled() || m_stopping)
        return;
    m_stopping = true;
    m_stopBudgetUs = StopBudget::microseconds(drainTimeoutS, interruptGraceS);
    m_stopClock.start();
    notify("STOPPING=1");
    sendExtension();
}

void SystemdNotifier::stopFinished()
{
    m_extend->stop();
    m_watchdog->stop();
}

void SystemdNotifier::sendExtension()
{
    // Each extension covers what is left of the stop budget (at least 1 s) and is re-sent
    // after at most half of it, so systemd never sees the extension run out while we work.
    const qint64 leftUs =
        std::max<qint64>(m_stopBudgetUs - m_stopClock.nsecsElapsed() / 1000, 1000000);
    notify("EXTEND_TIMEOUT_USEC=" + QByteArray::number(leftUs));
    const qint64 nextMs = std::clamp<qint64>(leftUs / 2000, 200, 5000);
    m_extend->start(int(nextMs));
}

void SystemdNotifier::handOver(qint64 successorPid)
{
    if (!isEnabled())
        return;
    notify("MAINPID=" + QByteArray::number(successorPid) + "\nSTATUS=handed over to pid " +
           QByteArray::number(successorPid));
    m_watchdog->stop();
    m_extend->stop();
    m_env.notifySocket.clear(); // disabled: every later call is a no-op
}

} // namespace sluice
