#pragma once
#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sluice {

// Starts the successor of a hand-off restart with descriptors of ours at fixed numbers:
// the listening sockets from 3 on, announced as LISTEN_FDS / LISTEN_FDNAMES with LISTEN_PID set
// to the child's own pid (which only the child knows: QProcess cannot do that), followed by
// the extra descriptors. Unix only; fork + execve, the child doing only async-signal-safe work.
class SuccessorSpawner
{
public:
    struct Request
    {
        QString program;
        QStringList arguments; // without the program
        QList<int> listeningSockets;
        QStringList socketNames;
        QList<int> extraDescriptors; // numbered 3 + listeningSockets.size() + i in the child
        QList<QPair<QByteArray, QByteArray>> environment; // set on top of ours
        // Set to the child's pid (LISTEN_PID always; WATCHDOG_PID under a systemd watchdog).
        QList<QByteArray> pidVariables{QByteArrayLiteral("LISTEN_PID")};
    };

    // The child's pid, or -1 with *error.
    static qint64 spawn(const Request &request, QString *error);
    // The number a descriptor of extraDescriptors gets in the child.
    static int childDescriptor(const Request &request, int extraIndex)
    {
        return 3 + int(request.listeningSockets.size()) + extraIndex;
    }
};

} // namespace sluice
