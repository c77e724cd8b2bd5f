#pragma once
#include <QProcessEnvironment>
#include <QString>

namespace sluice {

// How a restart ends (CONTRACT §3, §6): under a service manager the service exits 75 and the
// manager starts it again; without one it starts its own replacement and exits 0.
namespace RestartPolicy {

inline constexpr int ExitPlanned = 0;
inline constexpr int ExitUnexpectedSignal = 1;
inline constexpr int ExitRestartBySupervisor = 75;

// Supervised = --supervised, or started by systemd (INVOCATION_ID or NOTIFY_SOCKET set) or
// launchd (XPC_SERVICE_NAME set, not "0"): the variables count only when the parent is the
// manager (pid 1, or a process named systemd/launchd), since shells pass them on. Decide it
// at start: a self-restarted replacement is later reparented to a subreaper (systemd --user).
bool isSupervised(bool supervisedOption,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
bool isSupervised(bool supervisedOption, const QProcessEnvironment &env, qint64 parentPid,
                  const QString &parentName);

} // namespace RestartPolicy
} // namespace sluice
