#pragma once
#include <QList>
#include <QString>

namespace sluice {

// Listening sockets passed to us at exec (the sd_listen_fds(3) convention: LISTEN_PID is our
// pid, LISTEN_FDS sockets start at descriptor 3, LISTEN_FDNAMES names them), from a systemd
// .socket unit or from a predecessor in a hand-off restart. Read once at start: the variables
// are removed and the descriptors made close-on-exec, so agents inherit neither.
// The local socket is the AF_UNIX one (or the one named "ipc"), HTTP the AF_INET/AF_INET6 one
// (or "http"); anything else is closed with a warning.
class InheritedSockets
{
public:
    static InheritedSockets takeFromEnvironment();

    bool isEmpty() const { return m_local < 0 && m_tcp < 0; }
    int localSocket() const { return m_local; }       // -1: none
    QString localPath() const { return m_localPath; } // the path it is bound to
    int tcpSocket() const { return m_tcp; }
    QStringList warnings() const { return m_warnings; }

private:
    int m_local = -1;
    QString m_localPath;
    int m_tcp = -1;
    QStringList m_warnings;
};

} // namespace sluice
