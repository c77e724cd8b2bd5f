#pragma once
#include <QJsonObject>
#include <QString>
#include <optional>

namespace sluice {

// What a predecessor hands its successor besides the listening sockets (which follow the
// LISTEN_FDS convention: ingress/inheritedsockets.h): the channel between the two, the lock,
// the containment's cgroup and the umask / descriptor limit agents get. It travels in one
// environment variable, SLUICE_HANDOFF (JSON), read and removed at start so agents never see it.
struct HandoffContext
{
    qint64 predecessorPid = -1;
    int channelFd = -1;
    int lockFd = -1;
    QJsonObject containment; // Containment::handOverState(): what the successor adopts
    int agentUmask = -1;     // -1: unknown
    qint64 agentOpenFilesLimit = -1;
    bool supervised = false;    // decided by the first generation (RestartPolicy)
    bool ownsSocketFile = true; // false: a .socket unit's; never removed by us

    static constexpr char Variable[] = "SLUICE_HANDOFF";

    QByteArray encode() const;
    // Reads and removes the variable; nullopt when absent or malformed (*error says why).
    static std::optional<HandoffContext> takeFromEnvironment(QString *error);
};

} // namespace sluice
