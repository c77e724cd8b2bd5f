#include "lifecycle/restartpolicy.h"

#include "lifecycle/lifecyclelogging.h"

#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QProcess>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sluice::RestartPolicy {

bool isSupervised(bool supervisedOption, const QProcessEnvironment &env, qint64 parentPid,
                  const QString &parentName)
{
    if (supervisedOption)
        return true;
    // The variables are inherited: a shell started by a service (gnome-terminal-server runs as
    // a systemd user unit; macOS Terminal sets XPC_SERVICE_NAME=0) passes them on to whatever
    // it starts. They only mean "a manager restarts us" when the manager itself started us.
    const bool startedByManager = parentPid == 1 || parentName == QLatin1String("systemd") ||
                                  parentName == QLatin1String("launchd");
    if (!startedByManager)
        return false;
    for (const char *name : {"INVOCATION_ID", "NOTIFY_SOCKET"}) {
        if (!env.value(QLatin1String(name)).isEmpty())
            return true;
    }
    const QString xpc = env.value(QStringLiteral("XPC_SERVICE_NAME"));
    return !xpc.isEmpty() && xpc != QLatin1String("0");
}

bool isSupervised(bool supervisedOption, const QProcessEnvironment &env)
{
#ifdef Q_OS_UNIX
    const qint64 parent = ::getppid();
#else
    const qint64 parent = ProcessIdentity::parentPid(ProcessIdentity::currentPid());
#endif
    return isSupervised(supervisedOption, env, parent, ProcessIdentity::processName(parent));
}

bool startSuccessor(const QStringList &arguments)
{
    qint64 pid = -1;
    const bool ok = QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments,
                                            QString(), &pid);
    if (ok)
        qCInfo(lcLifecycle).noquote() << "started the successor sluiced, pid" << pid;
    else
        qCCritical(lcLifecycle).noquote() << "could not start a successor sluiced";
    return ok;
}

} // namespace sluice::RestartPolicy
