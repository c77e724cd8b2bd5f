#include "lifecycle/signalbridge.h"

#include "lifecycle/lifecyclelogging.h"

#include <QSocketNotifier>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace sluice {

#ifdef Q_OS_UNIX
namespace {
// [0] written by the handler, [1] read by the notifier. Process-wide: handlers have no context.
int g_pair[2] = {-1, -1};
struct sigaction g_previousChild = {};

extern "C" void sluiceSignalHandler(int sig)
{
    const int savedErrno = errno; // the handler must not disturb the interrupted code
    const unsigned char byte = static_cast<unsigned char>(sig);
    // Non-blocking: if the pipe were ever full, dropping a repeat signal is fine.
    [[maybe_unused]] ssize_t n = ::write(g_pair[0], &byte, 1);
    errno = savedErrno;
}

extern "C" void sluiceChildHandler(int sig, siginfo_t *info, void *context)
{
    sluiceSignalHandler(sig);
    // Whoever handled SIGCHLD before us (Qt's process launcher on old kernels) still must.
    if (g_previousChild.sa_flags & SA_SIGINFO) {
        if (g_previousChild.sa_sigaction)
            g_previousChild.sa_sigaction(sig, info, context);
    } else if (g_previousChild.sa_handler != SIG_DFL && g_previousChild.sa_handler != SIG_IGN) {
        g_previousChild.sa_handler(sig);
    }
}
} // namespace
#endif

SignalBridge::SignalBridge(QObject *parent)
    : QObject(parent)
{}

SignalBridge::~SignalBridge()
{
#ifdef Q_OS_UNIX
    for (int sig : std::as_const(m_signals))
        ::signal(sig, SIG_DFL);
    if (m_child)
        ::sigaction(SIGCHLD, &g_previousChild, nullptr);
    if (m_installed) {
        delete m_notifier;
        m_notifier = nullptr;
        ::close(g_pair[0]);
        ::close(g_pair[1]);
        g_pair[0] = g_pair[1] = -1;
    }
#endif
}

QList<int> SignalBridge::defaultSignals()
{
#ifdef Q_OS_UNIX
    return {SIGTERM, SIGHUP, SIGINT, SIGUSR1};
#else
    return {};
#endif
}

bool SignalBridge::install(const QList<int> &signalList)
{
#ifdef Q_OS_UNIX
    if (m_installed)
        return true;
    if (g_pair[0] != -1) {
        qCWarning(lcLifecycle).noquote() << "signal bridge: another instance is installed";
        return false;
    }
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_pair) != 0) {
        qCWarning(lcLifecycle).noquote() << "signal bridge: socketpair failed:" << strerror(errno);
        return false;
    }
    for (int fd : g_pair) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC); // never leak into turns or the diagnostic
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    m_notifier = new QSocketNotifier(g_pair[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalBridge::onReadable);

    struct sigaction sa = {};
    sa.sa_handler = sluiceSignalHandler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; // interrupted system calls resume instead of failing with EINTR
    for (int sig : signalList) {
        if (::sigaction(sig, &sa, nullptr) != 0) {
            qCWarning(lcLifecycle).noquote() << "signal bridge: sigaction" << sig << "failed";
            continue;
        }
        m_signals.append(sig);
    }
    struct sigaction child = {};
    child.sa_sigaction = sluiceChildHandler;
    sigemptyset(&child.sa_mask);
    child.sa_flags = SA_RESTART | SA_SIGINFO | SA_NOCLDSTOP;
    if (::sigaction(SIGCHLD, &child, &g_previousChild) == 0)
        m_child = true;
    else
        qCWarning(lcLifecycle).noquote() << "signal bridge: sigaction SIGCHLD failed";
    m_installed = true;
    return true;
#else
    Q_UNUSED(signalList);
    return false;
#endif
}

void SignalBridge::onReadable()
{
#ifdef Q_OS_UNIX
    unsigned char buffer[64];
    for (;;) {
        const ssize_t n = ::read(g_pair[1], buffer, sizeof buffer);
        if (n <= 0)
            break; // EAGAIN: drained
        bool child = false;
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] == SIGCHLD)
                child = true; // one reap pass covers every child that exited
            else
                Q_EMIT signalReceived(buffer[i]);
        }
        if (child)
            Q_EMIT childExited();
    }
#endif
}

} // namespace sluice
