#include "handoff/successorspawner.h"

#include <QFile>
#include <QProcessEnvironment>

#include <vector>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace sluice {

#ifdef Q_OS_UNIX
namespace {
// Async-signal-safe decimal formatting for the child.
void formatPid(char *out, long value)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < 23);
    while (n > 0)
        *out++ = digits[--n];
    *out = '\0';
}
} // namespace

qint64 SuccessorSpawner::spawn(const Request &request, QString *error)
{
    // Everything the child needs is built here, before fork: after it, no allocation.
    const QByteArray program = QFile::encodeName(request.program);
    std::vector<QByteArray> argStore;
    argStore.push_back(program);
    for (const QString &a : request.arguments)
        argStore.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : argStore)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"})
        env.remove(QLatin1String(name));
    env.insert(QStringLiteral("LISTEN_FDS"), QString::number(request.listeningSockets.size()));
    env.insert(QStringLiteral("LISTEN_FDNAMES"), request.socketNames.join(QLatin1Char(':')));
    for (const auto &[name, value] : request.environment)
        env.insert(QString::fromLocal8Bit(name), QString::fromLocal8Bit(value));
    for (const QByteArray &name : request.pidVariables)
        env.remove(QString::fromLatin1(name));
    std::vector<QByteArray> envStore;
    const QStringList keys = env.keys();
    for (const QString &k : keys)
        envStore.push_back((k + QLatin1Char('=') + env.value(k)).toLocal8Bit());
    // NAME=<the child's pid>: the child writes the digits into these slots.
    const size_t firstSlot = envStore.size();
    for (const QByteArray &name : request.pidVariables)
        envStore.push_back(name + '=' + QByteArray(24, '\0'));
    std::vector<char *> envp;
    for (QByteArray &e : envStore)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char *> pidSlots;
    for (size_t i = firstSlot; i < envStore.size(); ++i)
        pidSlots.push_back(envStore[i].data() +
                           request.pidVariables.at(qsizetype(i - firstSlot)).size() + 1);

    std::vector<int> sources;
    for (int fd : request.listeningSockets)
        sources.push_back(fd);
    for (int fd : request.extraDescriptors)
        sources.push_back(fd);
    const int count = int(sources.size());

    const pid_t pid = ::fork();
    if (pid < 0) {
        *error = QStringLiteral("fork failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return -1;
    }
    if (pid == 0) {
        // The child: only async-signal-safe calls from here to execve.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::setsid();
        // First above every target number, so no dup2 overwrites a source still needed.
        int moved[64];
        const int n = count < 64 ? count : 64;
        for (int i = 0; i < n; ++i)
            moved[i] = ::fcntl(sources[size_t(i)], F_DUPFD_CLOEXEC, 3 + n);
        for (int i = 0; i < n; ++i) {
            if (moved[i] < 0 || ::dup2(moved[i], 3 + i) < 0)
                ::_exit(71);
        }
        for (char *slot : pidSlots)
            formatPid(slot, long(::getpid()));
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    return qint64(pid);
}
#else
qint64 SuccessorSpawner::spawn(const Request &, QString *error)
{
    *error = QStringLiteral("a hand-off restart is not available on this platform");
    return -1;
}
#endif

} // namespace sluice
