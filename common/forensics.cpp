#include "sluice/forensics.h"

#include "sluice/atomicjson.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"

#include <QElapsedTimer>
#include <QJsonValue>

#include <csignal>
#ifdef Q_OS_UNIX
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace sluice {

namespace {

struct SignalEntry
{
    int num;
    const char *name;
};

// Numbers differ between platforms, so the table is built from this platform's macros.
// First match wins where two names share a number (SIGIOT/SIGABRT, SIGPOLL/SIGIO).
const SignalEntry SignalTable[] = {
    {SIGTERM, "SIGTERM"},     {SIGINT, "SIGINT"}, {SIGABRT, "SIGABRT"},
    {SIGSEGV, "SIGSEGV"},     {SIGILL, "SIGILL"}, {SIGFPE, "SIGFPE"},
#ifdef SIGHUP
    {SIGHUP, "SIGHUP"},
#endif
#ifdef SIGKILL
    {SIGKILL, "SIGKILL"},
#endif
#ifdef SIGQUIT
    {SIGQUIT, "SIGQUIT"},
#endif
#ifdef SIGUSR1
    {SIGUSR1, "SIGUSR1"},
#endif
#ifdef SIGUSR2
    {SIGUSR2, "SIGUSR2"},
#endif
#ifdef SIGPIPE
    {SIGPIPE, "SIGPIPE"},
#endif
#ifdef SIGALRM
    {SIGALRM, "SIGALRM"},
#endif
#ifdef SIGCHLD
    {SIGCHLD, "SIGCHLD"},
#endif
#ifdef SIGCONT
    {SIGCONT, "SIGCONT"},
#endif
#ifdef SIGSTOP
    {SIGSTOP, "SIGSTOP"},
#endif
#ifdef SIGTSTP
    {SIGTSTP, "SIGTSTP"},
#endif
#ifdef SIGTTIN
    {SIGTTIN, "SIGTTIN"},
#endif
#ifdef SIGTTOU
    {SIGTTOU, "SIGTTOU"},
#endif
#ifdef SIGBUS
    {SIGBUS, "SIGBUS"},
#endif
#ifdef SIGTRAP
    {SIGTRAP, "SIGTRAP"},
#endif
#ifdef SIGSYS
    {SIGSYS, "SIGSYS"},
#endif
#ifdef SIGURG
    {SIGURG, "SIGURG"},
#endif
#ifdef SIGXCPU
    {SIGXCPU, "SIGXCPU"},
#endif
#ifdef SIGXFSZ
    {SIGXFSZ, "SIGXFSZ"},
#endif
#ifdef SIGVTALRM
    {SIGVTALRM, "SIGVTALRM"},
#endif
#ifdef SIGPROF
    {SIGPROF, "SIGPROF"},
#endif
#ifdef SIGWINCH
    {SIGWINCH, "SIGWINCH"},
#endif
#ifdef SIGIO
    {SIGIO, "SIGIO"},
#endif
#ifdef SIGPWR
    {SIGPWR, "SIGPWR"},
#endif
#ifdef SIGBREAK
    {SIGBREAK, "SIGBREAK"},
#endif
};

double readLoadavg1m()
{
#ifdef Q_OS_LINUX
    char buf[128];
    const int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0)
        return -1;
    const QByteArray data(buf, qsizetype(n));
    const qsizetype space = data.indexOf(' ');
    bool ok = false;
    const double v = data.left(space < 0 ? data.size() : space).toDouble(&ok);
    return ok ? v : -1;
#elif defined(Q_OS_UNIX)
    double l[1];
    return ::getloadavg(l, 1) == 1 ? l[0] : -1;
#else
    return -1;
#endif
}

// One token for a key=value line: no spaces, "-" when empty.
QString token(const QString &s)
{
    if (s.isEmpty())
        return QStringLiteral("-");
    QString t = s;
    for (QChar &c : t) {
        if (c.isSpace())
            c = QLatin1Char('_');
    }
    return t;
}

} // namespace

QString ForensicsSnapshot::signalName(int signalNum)
{
    if (signalNum == 0)
        return QStringLiteral("UNKNOWN");
    for (const SignalEntry &e : SignalTable) {
        if (e.num == signalNum)
            return QString::fromLatin1(e.name);
    }
    return QStringLiteral("signal#") + QString::number(signalNum);
}

ForensicsSnapshot ForensicsSnapshot::take(const Context &context)
{
    ForensicsSnapshot s;
    s.ts = isoUtcNow();
    QElapsedTimer monotonic;
    monotonic.start();
    s.tsMonotonicMs = monotonic.msecsSinceReference();
    s.signalNum = context.signalNum;
    s.signal = signalName(context.signalNum);
    s.pid = ProcessIdentity::currentPid();
#ifdef Q_OS_UNIX
    s.ppid = ::getppid(); // the live value: the parent may have changed since start
#else
    s.ppid = ProcessIdentity::parentPid(s.pid);
#endif
    s.parentPid = s.ppid;
    s.parentName = ProcessIdentity::processName(s.ppid);
    s.parentCmdline = ProcessIdentity::commandLine(s.ppid);
    s.systemdInvocationId = qEnvironmentVariable("INVOCATION_ID");
    s.underSystemd = !s.systemdInvocationId.isEmpty();
    s.loadavg1m = readLoadavg1m();
    s.tracerPid = ProcessIdentity::tracerPid(s.pid);
    if (!context.plannedStopMarkerPath.isEmpty()) {
        const PlannedStopMarker marker(context.plannedStopMarkerPath);
        const PlannedStopMarker::Probe p = marker.probe(s.pid, context.selfStartTime);
        if (p.verdict == PlannedStopMarker::Verdict::Self)
            s.plannedStopMarker = QStringLiteral("self");
        else if (p.verdict != PlannedStopMarker::Verdict::Absent)
            s.plannedStopMarker = QStringLiteral("other");
    }
    s.drainMarkerActive = context.drainMarkerActive;
    return s;
}

QJsonObject ForensicsSnapshot::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("ts"), ts);
    o.insert(QStringLiteral("ts_monotonic"), tsMonotonicMs);
    o.insert(QStringLiteral("signal"), signal);
    o.insert(QStringLiteral("signal_num"), signalNum);
    o.insert(QStringLiteral("pid"), pid);
    o.insert(QStringLiteral("ppid"), ppid);
    o.insert(QStringLiteral("parent"), QJsonObject{{QStringLiteral("pid"), parentPid},
                                                   {QStringLiteral("name"), parentName},
                                                   {QStringLiteral("cmdline"), parentCmdline}});
    o.insert(QStringLiteral("under_systemd"), underSystemd);
    o.insert(QStringLiteral("systemd_invocation_id"),
             systemdInvocationId.isEmpty() ? QJsonValue() : QJsonValue(systemdInvocationId));
    o.insert(QStringLiteral("loadavg_1m"), loadavg1m < 0 ? QJsonValue() : QJsonValue(loadavg1m));
    o.insert(QStringLiteral("tracer_pid"), tracerPid < 0 ? QJsonValue() : QJsonValue(tracerPid));
    if (!plannedStopMarker.isEmpty())
        o.insert(QStringLiteral("planned_stop_marker"), plannedStopMarker);
    if (drainMarkerActive)
        o.insert(QStringLiteral("drain_marker"), QStringLiteral("active"));
    return o;
}

QString ForensicsSnapshot::summaryLine() const
{
    QString line;
    line.reserve(256 + parentCmdline.size());
    line += QStringLiteral("signal=") + signal;
    line += QStringLiteral(" signal_num=") + QString::number(signalNum);
    line += QStringLiteral(" pid=") + QString::number(pid);
    line += QStringLiteral(" ppid=") + QString::number(ppid);
    line += QStringLiteral(" parent_name=") + token(parentName);
    line += QStringLiteral(" under_systemd=") +
            (underSystemd ? QStringLiteral("true") : QStringLiteral("false"));
    line += QStringLiteral(" invocation_id=") + token(systemdInvocationId);
    line += QStringLiteral(" loadavg_1m=") +
            (loadavg1m < 0 ? QStringLiteral("-") : QString::number(loadavg1m, 'f', 2));
    line += QStringLiteral(" tracer_pid=") +
            (tracerPid < 0 ? QStringLiteral("-") : QString::number(tracerPid));
    if (!plannedStopMarker.isEmpty())
        line += QStringLiteral(" planned_stop_marker=") + plannedStopMarker;
    if (drainMarkerActive)
        line += QStringLiteral(" drain_marker=active");
    // Last, so its spaces need no quoting; line breaks would split the log line.
    QString cmd = parentCmdline;
    cmd.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    line += QStringLiteral(" parent_cmdline=") + cmd;
    return line;
}

} // namespace sluice
