#pragma once
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace sluice {

// Who restarts the service (docs/reference.md §3, §6): under a service manager the service
// exits 75 and the manager starts it again; without one it starts its own successor (the exit
// codes themselves: gateway/stopoutcome.h).
namespace RestartPolicy {

// Supervised = --supervised, or started by systemd (INVOCATION_ID or NOTIFY_SOCKET set) or
// launchd (XPC_SERVICE_NAME set, not "0"): the variables count only when the parent is the
// manager (pid 1, or a process named systemd/launchd), since shells pass them on. Decide it
// at start: a self-restarted replacement is later reparented to a subreaper (systemd --user).
bool isSupervised(bool supervisedOption,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
bool isSupervised(bool supervisedOption, const QProcessEnvironment &env, qint64 parentPid,
                  const QString &parentName);

// Starts a successor sluiced, detached, with the given arguments (argv without the program).
// It waits for our lock (--lock-wait) while we exit.
bool startSuccessor(const QStringList &arguments);

} // namespace RestartPolicy
} // namespace sluice
