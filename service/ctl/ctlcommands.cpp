#include "ctl/ctlcommands.h"

#include "supervisor/stopbudget.h"

#include <QUuid>

#include <memory>

#include "sluice/atomicjson.h"
#include "sluice/lifecyclemarkers.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "sluice/protocol.h"
#include "sluice/servicecontrol.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>

#include <cmath>
#include <limits>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#endif

namespace sluice::ctl {

double CtlContext::seconds(const char *option, double fallback, bool *bad) const
{
    if (!isSet(option))
        return fallback;
    bool ok = false;
    const double v = value(option).toDouble(&ok);
    if (!ok || v < 0 || !std::isfinite(v)) {
        *bad = true;
        return fallback;
    }
    return v;
}

namespace Commands {

namespace {
QString principal()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("sluicectl") : QStringLiteral("sluicectl:") + user;
}

QJsonObject stripEnvelope(QJsonObject o)
{
    o.remove(QStringLiteral("v"));
    o.remove(QStringLiteral("id"));
    o.remove(QStringLiteral("ok"));
    return o;
}

QString fmtSeconds(double s)
{
    return QString::number(s, 'f', s < 10 ? 2 : 1) + QStringLiteral(" s");
}

QString pad(const QString &s, int width)
{
    return s.leftJustified(width, QLatin1Char(' '));
}

bool isFinalTurnState(const QString &state)
{
    TurnState s = TurnState::Queued;
    return fromWireName(state, &s) && isFinal(s);
}

int usage(CtlContext &c, const QString &message)
{
    return c.out->fail(Exit::Usage, QStringLiteral("usage"), message);
}

// How long a stop may take: the service's own stop budget (drain timeout + interrupt grace +
// 30 s, its watchdog's limit) plus 5 s, when it tells us; else 120 s.
double stopWaitSeconds(ServiceLink &link)
{
    if (link.connect(2000)) {
        const IpcReply s = link.call(QString::fromLatin1(Protocol::Cmd::Status), {}, 3000);
        if (s.ok && s.body.value(QStringLiteral("drain_timeout_s")).isDouble())
            return double(StopBudget::seconds(
                       s.body.value(QStringLiteral("drain_timeout_s")).toDouble(),
                       s.body.value(QStringLiteral("interrupt_grace_s")).toDouble(5))) +
                   5;
    }
    return 120;
}

// Waits until gateway_state.json names a live sluiced other than `old` that serves (running or
// draining); *now gets that status. False after timeoutMs.
bool waitServing(ServiceLink &link, const RuntimeStatus &old, int timeoutMs, RuntimeStatus *now)
{
    return link.waitUntil(
        [&] {
            *now = link.persistedStatus();
            const bool other = now->pid != old.pid || now->startTime != old.startTime;
            return other && ServiceLink::processAlive(*now) &&
                   (now->state == GatewayState::Running || now->state == GatewayState::Draining);
        },
        timeoutMs, 100);
}

// "a drain left from before it started (principal P, N old); `sluicectl cancel-drain` ends
// it", or empty when the status names no such drain.
QString leftoverText(const QJsonObject &status)
{
    const QJsonObject leftover = status.value(QStringLiteral("drain"))
                                     .toObject()
                                     .value(QStringLiteral("leftover"))
                                     .toObject();
    if (leftover.isEmpty())
        return {};
    return QStringLiteral("a drain left from before it started (principal %1, %2 old); `%3` "
                          "ends it")
        .arg(leftover.value(QStringLiteral("principal")).toString(),
             humanAge(leftover.value(QStringLiteral("age_s")).toDouble(-1)),
             leftover.value(QStringLiteral("cancel")).toString());
}

// The unit's own ExecStop= is `sluicectl stop`: when the manager runs us, we are the stopper
// and must not ask the manager again (its stop job would wait for us). systemd sets
// INVOCATION_ID for every process of a unit, launchd XPC_SERVICE_NAME (a terminal's "0" is
// not a job). A false "yes" only means the planned stop is done directly, which is harmless.
bool runByTheManager()
{
    const QString xpc = qEnvironmentVariable("XPC_SERVICE_NAME");
    return !qEnvironmentVariable("INVOCATION_ID").isEmpty() ||
           (!xpc.isEmpty() && xpc != QLatin1String("0"));
}

// Does the service manager run this HOME's sluiced now? (A sluiced started by hand beside an
// installed unit is not the manager's to stop.)
bool managerRunsIt(ServiceControl &control)
{
    // Not "deactivating": a stop under way is the manager's already (and may be waiting for
    // this very command, its ExecStop=).
    const QString state = control.queryStateAndWait();
    return state == QLatin1String("active") || state == QLatin1String("activating") ||
           state == QLatin1String("reloading");
}
} // namespace

// "; last state stopped, exit code 0" for a "not running" message (and `last_state` in
// *extra), when a state file is there.
QString lastStateNote(const CtlContext &c, const RuntimeStatus &persisted, QJsonObject *extra)
{
    if (!QFileInfo::exists(c.paths.stateFile()))
        return {};
    extra->insert(QStringLiteral("last_state"), persisted.toJson());
    QString last = QStringLiteral("; last state %1").arg(wireName(persisted.state));
    if (persisted.exitCode)
        last += QStringLiteral(", exit code %1").arg(*persisted.exitCode);
    return last;
}

bool connectOrFail(CtlContext &c, ServiceLink &link, int *exitCode)
{
    QString why;
    if (link.connect(3000, &why))
        return true;
    const RuntimeStatus persisted = link.persistedStatus();
    const QString socket = IpcClient::socketForHome(c.paths.home());
#ifdef Q_OS_UNIX
    if (!QFileInfo::exists(socket))
        why = QStringLiteral("no socket at %1").arg(socket); // clearer than Qt's "Invalid name"
#endif
    QJsonObject extra;
    const QString last = lastStateNote(c, persisted, &extra);
    *exitCode = c.out->fail(Exit::NotRunning, QStringLiteral("not_running"),
                            QStringLiteral("sluiced is not running or not reachable for HOME %1 "
                                           "(%2%3)")
                                .arg(c.paths.home(), why, last),
                            extra);
    return false;
}

int failFromReply(CtlContext &c, const IpcReply &reply)
{
    const QString code = reply.errorCode;
    int exitCode = Exit::Failed;
    if (code == QLatin1String(Protocol::Error::Disconnected) ||
        code == QLatin1String(Protocol::Error::Timeout))
        exitCode = Exit::NotRunning;
    QString message = reply.errorMessage;
    if (message.isEmpty())
        message = code;
    return c.out->fail(exitCode, code, message);
}

// One request on a fresh connection, for the commands that need nothing more: the reply's
// fields in *fields, or false with the exit code (already reported) in *exitCode.
bool callOnce(CtlContext &c, const char *cmd, const QJsonObject &args, QJsonObject *fields,
              int *exitCode)
{
    ServiceLink link(c.paths);
    if (!connectOrFail(c, link, exitCode))
        return false;
    const IpcReply r = link.call(QString::fromLatin1(cmd), args);
    if (!r.ok) {
        *exitCode = failFromReply(c, r);
        return false;
    }
    *fields = stripEnvelope(r.body);
    return true;
}

// `--timeout S` of a command's `--wait`: a number of seconds, and only together with --wait.
// False with the usage exit code (already reported) in *exitCode.
bool waitTimeout(CtlContext &c, double *timeoutS, int *exitCode)
{
    bool bad = false;
    *timeoutS = c.seconds("timeout", 0, &bad);
    if (bad)
        *exitCode = usage(c, QStringLiteral("--timeout needs a number of seconds"));
    else if (c.isSet("timeout") && !c.isSet("wait") && !c.isSet("follow"))
        *exitCode = usage(c, QStringLiteral("--timeout goes with --wait or --follow"));
    else if (c.isSet("wait") && c.isSet("follow"))
        *exitCode = usage(c, QStringLiteral("--wait and --follow do not go together"));
    else
        return true;
    return false;
}

QString formatStatus(const QJsonObject &s)
{
    QStringList lines;
    auto row = [&](const QString &k, const QString &v) {
        lines << pad(k + QLatin1Char(':'), 16) + v;
    };
    row(QStringLiteral("state"),
        s.value(QStringLiteral("state")).toString() + (s.value(QStringLiteral("accepting")).toBool()
                                                           ? QStringLiteral(" (accepting)")
                                                           : QStringLiteral(" (not accepting)")));
    row(QStringLiteral("desired state"), s.value(QStringLiteral("desired_state")).toString());
    row(QStringLiteral("pid"), QString::number(s.value(QStringLiteral("pid")).toInteger()));
    if (s.contains(QStringLiteral("uptime_s")))
        row(QStringLiteral("uptime"), fmtSeconds(s.value(QStringLiteral("uptime_s")).toDouble()));
    row(QStringLiteral("active agents"),
        QString::number(s.value(QStringLiteral("active_agents")).toInt()));
    const QJsonObject drain = s.value(QStringLiteral("drain")).toObject();
    if (!drain.isEmpty())
        row(QStringLiteral("drain"), QStringLiteral("since %1 by %2 (%3)")
                                         .arg(drain.value(QStringLiteral("since")).toString(),
                                              drain.value(QStringLiteral("principal")).toString(),
                                              drain.value(QStringLiteral("source")).toString()));
    if (!leftoverText(s).isEmpty())
        lines << pad(QString(), 16) + leftoverText(s);
    // A hand-off restart: the previous process still finishes its turns.
    const QJsonObject predecessor = s.value(QStringLiteral("predecessor")).toObject();
    if (!predecessor.isEmpty())
        row(QStringLiteral("predecessor"),
            QStringLiteral("pid %1 finishes %2 running and %3 queued turns (by %4)")
                .arg(predecessor.value(QStringLiteral("pid")).toInteger())
                .arg(predecessor.value(QStringLiteral("running")).toInt())
                .arg(predecessor.value(QStringLiteral("queued")).toInt())
                .arg(predecessor.value(QStringLiteral("deadline")).toString()));
    const QJsonObject failed = s.value(QStringLiteral("restart_failed")).toObject();
    if (!failed.isEmpty())
        row(QStringLiteral("restart failed"),
            QStringLiteral("%1: %2").arg(failed.value(QStringLiteral("at")).toString(),
                                         failed.value(QStringLiteral("reason")).toString()));
    if (s.contains(QStringLiteral("drain_timeout_s")))
        row(QStringLiteral("drain timeout"),
            fmtSeconds(s.value(QStringLiteral("drain_timeout_s")).toDouble()));
    const int port = s.value(QStringLiteral("http_port")).toInt(-1);
    row(QStringLiteral("http"),
        port > 0 ? QStringLiteral("127.0.0.1:%1").arg(port) : QStringLiteral("off"));
    row(QStringLiteral("socket"), s.value(QStringLiteral("socket")).toString());
    if (s.contains(QStringLiteral("containment")))
        row(QStringLiteral("containment"), s.value(QStringLiteral("containment")).toString());
    const QJsonObject sup = s.value(QStringLiteral("supervisor")).toObject();
    if (!sup.isEmpty()) {
        QString text = sup.value(QStringLiteral("manager")).toString(QStringLiteral("none"));
        if (sup.value(QStringLiteral("checked")).toBool())
            text += sup.value(QStringLiteral("aligned")).toBool(true)
                        ? QStringLiteral(", aligned")
                        : QStringLiteral(", NOT aligned");
        const QString msg = sup.value(QStringLiteral("message")).toString();
        if (!msg.isEmpty() && !sup.value(QStringLiteral("aligned")).toBool(true))
            text += QStringLiteral(": ") + msg;
        row(QStringLiteral("supervisor"), text);
    }
    if (!s.value(QStringLiteral("exit_reason")).toString().isEmpty())
        row(QStringLiteral("exit reason"), s.value(QStringLiteral("exit_reason")).toString());
    row(QStringLiteral("version"), s.value(QStringLiteral("version")).toString());
    return lines.join(QLatin1Char('\n'));
}

QString formatShutdownReport(const QJsonObject &r)
{
    QStringList lines;
    lines << QStringLiteral("cause:        %1").arg(r.value(QStringLiteral("cause")).toString());
    lines << QStringLiteral("exit code:    %1")
                 .arg(r.value(QStringLiteral("exit_code")).isNull()
                          ? QStringLiteral("-")
                          : QString::number(r.value(QStringLiteral("exit_code")).toInt()));
    lines
        << QStringLiteral("started at:   %1").arg(r.value(QStringLiteral("started_at")).toString());
    lines << QStringLiteral("total:        %1")
                 .arg(fmtSeconds(r.value(QStringLiteral("total_s")).toDouble()));
    const QJsonValue interrupted = r.value(QStringLiteral("interrupted"));
    lines << QStringLiteral("interrupted:  %1")
                 .arg(interrupted.isBool()
                          ? (interrupted.toBool() ? QStringLiteral("yes") : QStringLiteral("no"))
                          : QString::number(interrupted.toInt()));
    lines << QString();
    lines << pad(QStringLiteral("PHASE"), 14) + pad(QStringLiteral("AT"), 12) +
                 QStringLiteral("DURATION");
    const QJsonArray phases = r.value(QStringLiteral("phases")).toArray();
    for (const QJsonValue &v : phases) {
        const QJsonObject p = v.toObject();
        lines << pad(p.value(QStringLiteral("name")).toString(), 14) +
                     pad(QStringLiteral("+") +
                             fmtSeconds(p.value(QStringLiteral("at_s")).toDouble()),
                         12) +
                     (p.contains(QStringLiteral("duration_s"))
                          ? fmtSeconds(p.value(QStringLiteral("duration_s")).toDouble())
                          : QStringLiteral("-"));
    }
    return lines.join(QLatin1Char('\n'));
}

int status(CtlContext &c)
{
    // The service-manager view beside the service's own (as `systemctl status` users expect).
    ServiceControl control(c.paths.home());
    const ServiceControl::Unit unit = ServiceControl::detect(c.paths.home());
    QJsonObject unitJson = unit.toJson();
    QString unitLine;
    if (unit.installed()) {
        const QString state = control.queryStateAndWait();
        unitJson.insert(QStringLiteral("state"), state);
        unitLine = QStringLiteral("%1 (%2, %3): %4")
                       .arg(unit.name, ServiceControl::managerName(unit.manager), unit.path, state);
    } else {
        unitLine = QStringLiteral("no service-manager unit for this HOME (`sluicectl service "
                                  "install` writes one)");
    }
    ServiceLink link(c.paths);
    if (!link.connect(3000)) {
        // Not running: the usual exit 3, with the unit's word in the message.
        const RuntimeStatus persisted = link.persistedStatus();
        QJsonObject extra{{QStringLiteral("unit"), unitJson}};
        const QString last = lastStateNote(c, persisted, &extra);
        return c.out->fail(
            Exit::NotRunning, QStringLiteral("not_running"),
            QStringLiteral("sluiced is not running for HOME %1%2\nservice:        %3")
                .arg(c.paths.home(), last, unitLine),
            extra);
    }
    const IpcReply r = link.call(QString::fromLatin1(Protocol::Cmd::Status));
    if (!r.ok)
        return failFromReply(c, r);
    QJsonObject s = stripEnvelope(r.body);
    s.insert(QStringLiteral("unit"), unitJson);
    QString text = formatStatus(s);
    text += QStringLiteral("\n") + pad(QStringLiteral("service:"), 16) + unitLine;
    return c.out->result(s, text);
}

int agents(CtlContext &c)
{
    QJsonObject f;
    int code = 0;
    if (!callOnce(c, Protocol::Cmd::Agents, {}, &f, &code))
        return code;
    const QJsonArray list = f.value(QStringLiteral("agents")).toArray();
    QStringList lines;
    if (list.isEmpty()) {
        lines << QStringLiteral("no agents running");
    } else {
        lines << pad(QStringLiteral("TURN"), 26) + pad(QStringLiteral("SESSION"), 22) +
                     pad(QStringLiteral("PID"), 9) + pad(QStringLiteral("STATE"), 12) +
                     pad(QStringLiteral("ELAPSED"), 10) + pad(QStringLiteral("CPU"), 10) +
                     pad(QStringLiteral("MEMORY"), 12) + pad(QStringLiteral("PROCS"), 7) +
                     QStringLiteral("SLUICED");
        for (const QJsonValue &v : list) {
            const QJsonObject a = v.toObject();
            // What the containment measures; "-" where it cannot (docs/reference.md §7).
            const QJsonObject u = a.value(QStringLiteral("usage")).toObject();
            const QJsonValue cpu = u.value(QStringLiteral("cpu_s"));
            const QJsonValue memory = u.value(QStringLiteral("memory_bytes"));
            const QJsonValue procs = u.value(QStringLiteral("processes"));
            lines << pad(a.value(QStringLiteral("turn_id")).toString(), 26) +
                         pad(a.value(QStringLiteral("session")).toString(), 22) +
                         pad(QString::number(a.value(QStringLiteral("pid")).toInteger()), 9) +
                         pad(a.value(QStringLiteral("state")).toString(), 12) +
                         pad(fmtSeconds(a.value(QStringLiteral("elapsed_s")).toDouble()), 10) +
                         pad(cpu.isDouble() ? fmtSeconds(cpu.toDouble()) : QStringLiteral("-"),
                             10) +
                         pad(memory.isDouble() ? QStringLiteral("%1 MiB").arg(
                                                     memory.toDouble() / 1048576.0, 0, 'f', 1)
                                               : QStringLiteral("-"),
                             12) +
                         pad(procs.isDouble() ? QString::number(procs.toInteger())
                                              : QStringLiteral("-"),
                             7) +
                         // The pid of the sluiced that runs it; "(previous)" after a hand-off.
                         QString::number(a.value(QStringLiteral("service_pid")).toInteger()) +
                         (a.value(QStringLiteral("generation")).toString() ==
                                  QLatin1String("predecessor")
                              ? QStringLiteral(" (previous)")
                              : QString());
        }
    }
    return c.out->result(f, lines.join(QLatin1Char('\n')));
}

int drain(CtlContext &c)
{
    double timeoutS = 0;
    int code = 0;
    if (!waitTimeout(c, &timeoutS, &code))
        return code;
    ServiceLink link(c.paths);
    if (!connectOrFail(c, link, &code))
        return code;
    const IpcReply r =
        link.call(QString::fromLatin1(Protocol::Cmd::Drain),
                  {{QStringLiteral("principal"), principal()},
                   {QStringLiteral("suppress_notification"), c.isSet("suppress-notification")}});
    if (!r.ok)
        return failFromReply(c, r);
    QJsonObject fields = stripEnvelope(r.body);
    if (!c.isSet("wait"))
        return c.out->result(fields, QStringLiteral("draining: new turns are refused; running "
                                                    "turns continue"));

    // Follow the active count through status events, with a periodic status poll as a
    // fallback, until no turn runs.
    int active = -1;
    QString state = fields.value(QStringLiteral("state")).toString();
    auto update = [&](const QJsonObject &s) {
        const int n = s.value(QStringLiteral("active_agents")).toInt(-1);
        if (s.contains(QStringLiteral("state")))
            state = s.value(QStringLiteral("state")).toString();
        if (n >= 0 && n != active) {
            active = n;
            c.out->progress(QStringLiteral("draining: %1 active").arg(n), true);
        }
    };
    const QMetaObject::Connection events =
        QObject::connect(link.client(), &IpcClient::eventReceived, link.client(),
                         [&](const QString &name, const QJsonObject &ev) {
                             if (name == QLatin1String(Protocol::Event::Status))
                                 update(ev);
                         });
    struct Disconnect
    {
        QMetaObject::Connection c;
        ~Disconnect() { QObject::disconnect(c); }
    } guard{events};
    link.call(QString::fromLatin1(Protocol::Cmd::Subscribe));
    QElapsedTimer clock;
    clock.start();
    bool done = false;
    int unanswered = 0;
    for (;;) {
        const IpcReply s = link.call(QString::fromLatin1(Protocol::Cmd::Status), {}, 5000);
        if (s.ok)
            update(s.body);
        // A connected but wedged service: give up after a few unanswered polls.
        unanswered = s.errorCode == QLatin1String(Protocol::Error::Timeout) ? unanswered + 1 : 0;
        if (unanswered >= 3)
            return c.out->fail(Exit::NotRunning, QStringLiteral("timeout"),
                               QStringLiteral("the service stopped answering"), fields);
        done = active == 0;
        if (done || link.disconnected())
            break;
        const qint64 left = timeoutS > 0 ? qint64(timeoutS * 1000) - clock.elapsed() : 1000;
        if (left <= 0)
            break;
        // Status events update `active` at once; the status call above is the fallback.
        done = link.waitUntil([&] { return active == 0 || link.disconnected(); },
                              int(qMin<qint64>(left, 1000)), 250);
        if (done && active == 0)
            break;
    }
    fields.insert(QStringLiteral("active_agents"), active);
    fields.insert(QStringLiteral("state"), state);
    fields.insert(QStringLiteral("waited_s"), double(clock.elapsed()) / 1000.0);
    if (link.disconnected() && active != 0) {
        fields.insert(QStringLiteral("service_stopped"), true);
        return c.out->result(fields, QStringLiteral("the service went away while draining; no "
                                                    "turn runs any more"));
    }
    if (!done)
        return c.out->fail(
            Exit::Failed, QStringLiteral("timeout"),
            QStringLiteral("%1 turn(s) still running after %2 s").arg(active).arg(timeoutS),
            fields);
    return c.out->result(fields,
                         QStringLiteral("drained: no turn is running (%1 s)")
                             .arg(fields.value(QStringLiteral("waited_s")).toDouble(), 0, 'f', 1));
}

int cancelDrain(CtlContext &c)
{
    QJsonObject f;
    int code = 0;
    if (!callOnce(c, Protocol::Cmd::CancelDrain, {}, &f, &code))
        return code;
    return c.out->result(f, f.value(QStringLiteral("was_draining")).toBool()
                                ? QStringLiteral("drain cancelled: state %1")
                                      .arg(f.value(QStringLiteral("state")).toString())
                                : QStringLiteral("was not draining: state %1")
                                      .arg(f.value(QStringLiteral("state")).toString()));
}

int stop(CtlContext &c)
{
    bool bad = false;
    double timeoutS = c.seconds("timeout", -1, &bad);
    if (bad)
        return usage(c, QStringLiteral("--timeout needs a number of seconds"));
    ServiceLink link(c.paths);
    RuntimeStatus st = link.persistedStatus();
    if (!ServiceLink::processAlive(st))
        return c.out->fail(Exit::NotRunning, QStringLiteral("not_running"),
                           QStringLiteral("sluiced is not running for HOME %1").arg(c.paths.home()),
                           {{QStringLiteral("last_state"), st.toJson()}});
    if (timeoutS < 0)
        timeoutS = stopWaitSeconds(link);
    QElapsedTimer clock;
    clock.start();
    QJsonObject fields{{QStringLiteral("pid"), st.pid}, {QStringLiteral("timeout_s"), timeoutS}};
    ServiceControl control(c.paths.home());
    const ServiceControl::Unit unit = ServiceControl::detect(c.paths.home());
    if (unit.installed() && !runByTheManager() && managerRunsIt(control)) {
        c.out->info(
            QStringLiteral("stopping sluiced (pid %1) through %2...").arg(st.pid).arg(unit.name));
        ServiceControl::Options options;
        options.timeoutMs = timeoutS > 0 ? int(timeoutS * 1000) : std::numeric_limits<int>::max();
        const ServiceControl::Result r = control.runAndWait(ServiceControl::Action::Stop, options);
        fields.insert(QStringLiteral("unit"), unit.toJson());
        fields.insert(QStringLiteral("via"), ServiceControl::managerName(r.via));
        if (!r.ok)
            return c.out->fail(Exit::Failed, QStringLiteral("stop_failed"), r.message, fields);
        const qint64 leftMs =
            timeoutS > 0 ? qMax<qint64>(1, qint64(timeoutS * 1000) - clock.elapsed()) : 0;
        if (!link.waitUntil([&] { return !ServiceLink::processAlive(st); },
                            int(qMin<qint64>(leftMs, std::numeric_limits<int>::max())), 100))
            return c.out->fail(Exit::Failed, QStringLiteral("timeout"),
                               QStringLiteral("%1 returned, but sluiced (pid %2) still runs")
                                   .arg(r.command.join(QLatin1Char(' ')))
                                   .arg(st.pid),
                               fields);
        fields.insert(QStringLiteral("waited_s"), double(clock.elapsed()) / 1000.0);
        fields.insert(QStringLiteral("stopped"), true);
        return c.out->result(
            fields, QStringLiteral("stopped through `%1` (%2 s)")
                        .arg(r.command.join(QLatin1Char(' ')))
                        .arg(fields.value(QStringLiteral("waited_s")).toDouble(), 0, 'f', 1));
    }
    RuntimeStatus after;
    for (int round = 0;; ++round) {
        QString error;
        if (!PlannedStopMarker(c.paths.plannedStopMarker())
                 .write(st.pid, st.startTime, false, &error))
            return c.out->fail(
                Exit::Failed, QStringLiteral("marker"),
                QStringLiteral("cannot write the planned-stop marker: %1").arg(error), fields);
#ifdef Q_OS_UNIX
        if (::kill(pid_t(st.pid), SIGTERM) != 0 && ServiceLink::processAlive(st))
            return c.out->fail(Exit::Failed, QStringLiteral("signal"),
                               QStringLiteral("cannot signal pid %1").arg(st.pid), fields);
#endif
        // On Windows the marker alone is the request; the service watches for it.
        c.out->info(QStringLiteral("stopping sluiced (pid %1)...").arg(st.pid));
        // Each process gets the whole timeout (a replacement may be running resumed turns).
        const qint64 leftMs = timeoutS > 0 ? qMax<qint64>(1, qint64(timeoutS * 1000)) : 0;
        const bool gone =
            link.waitUntil([&] { return !ServiceLink::processAlive(st); },
                           int(qMin<qint64>(leftMs, std::numeric_limits<int>::max())), 100);
        fields.insert(QStringLiteral("waited_s"), double(clock.elapsed()) / 1000.0);
        if (!gone)
            return c.out->fail(Exit::Failed, QStringLiteral("timeout"),
                               QStringLiteral("sluiced (pid %1) still running after %2 s; the "
                                              "stop request stays pending")
                                   .arg(st.pid)
                                   .arg(timeoutS),
                               fields);
        after = link.persistedStatus();
        // A stop that was already a restart ends in a restart (the cause is decided once).
        // Without a service manager the service starts its own replacement: stop that one too,
        // or "stopped" would be untrue. (With one, the manager decides: e.g. no restart
        // during `systemctl stop`.)
        const std::optional<RestartPending> pending =
            RestartPending::read(c.paths.restartPending());
        // The replacement may already have replaced the state file with its own.
        const bool replaced = after.pid > 0 && after.pid != st.pid;
        if (round > 0 || !(after.restartRequested || replaced) || (pending && pending->viaService))
            break;
        c.out->info(QStringLiteral("it stopped to restart; stopping its replacement..."));
        RuntimeStatus next;
        const bool up = link.waitUntil(
            [&] {
                next = link.persistedStatus();
                return next.pid != st.pid && ServiceLink::processAlive(next) &&
                       (next.state == GatewayState::Running ||
                        next.state == GatewayState::Draining);
            },
            30000, 100);
        if (!up)
            break;
        fields.insert(QStringLiteral("replacement_pid"), next.pid);
        st = next;
    }
    fields.insert(QStringLiteral("waited_s"), double(clock.elapsed()) / 1000.0);
    const RuntimeStatus now = link.persistedStatus();
    if (now.pid != st.pid && ServiceLink::processAlive(now)) {
        fields.insert(QStringLiteral("running_pid"), now.pid);
        return c.out->fail(Exit::Failed, QStringLiteral("restarted"),
                           QStringLiteral("sluiced (pid %1) exited, but it was restarting and "
                                          "pid %2 runs now")
                               .arg(st.pid)
                               .arg(now.pid),
                           fields);
    }
    fields.insert(QStringLiteral("stopped"), true);
    fields.insert(QStringLiteral("state"), wireName(after.state));
    if (after.exitCode)
        fields.insert(QStringLiteral("exit_code"), *after.exitCode);
    fields.insert(QStringLiteral("exit_reason"), after.exitReason);
    if (after.restartRequested)
        fields.insert(QStringLiteral("restart_requested"), true);
    return c.out->result(
        fields, QStringLiteral("stopped (%1 s)%2")
                    .arg(fields.value(QStringLiteral("waited_s")).toDouble(), 0, 'f', 1)
                    .arg(after.restartRequested ? QStringLiteral("; it was restarting: the service "
                                                                 "manager may start it again")
                                                : QString()));
}

int restart(CtlContext &c)
{
    const bool force = c.isSet("force");
    ServiceLink link(c.paths);
    const RuntimeStatus before = link.persistedStatus();
    QJsonObject f;
    // A running service restarts itself: a hand-off where it can (under systemd it tells the
    // manager the new main process), else exit 75 for the manager or its own replacement; the
    // manager's view stays true either way. A stopped one with a unit is the manager's to
    // start again.
    ServiceControl control(c.paths.home());
    const ServiceControl::Unit unit = ServiceControl::detect(c.paths.home());
    if (!link.connect(3000) && unit.installed() && !force) {
        c.out->info(
            QStringLiteral("sluiced is not running; restarting it through %1...").arg(unit.name));
        const ServiceControl::Result r = control.runAndWait(ServiceControl::Action::Restart);
        f = r.toJson();
        f.remove(QStringLiteral("ok"));
        if (!r.ok)
            return c.out->fail(Exit::Failed, QStringLiteral("restart_failed"), r.message, f);
        f.insert(QStringLiteral("accepted"), true);
    } else {
        int code = 0;
        if (!callOnce(c, Protocol::Cmd::Restart, {{QStringLiteral("force"), force}}, &f, &code))
            return code;
    }
    f.insert(QStringLiteral("force"), force);
    f.insert(QStringLiteral("unit"), unit.toJson());
    const QString accepted = force ? QStringLiteral("force restart accepted")
                                   : QStringLiteral("restart accepted: running turns drain first");
    if (!c.isSet("wait"))
        return c.out->result(f, accepted);
    c.out->info(accepted + QStringLiteral("; waiting for the new process to serve..."));
    // Its stop budget for the old process, then 30 s for the new one to come up.
    const double limitS = stopWaitSeconds(link) + 30;
    RuntimeStatus now;
    if (!waitServing(link, before, int(limitS * 1000), &now) || !link.connect(5000))
        return c.out->fail(Exit::Failed, QStringLiteral("timeout"),
                           QStringLiteral("no new sluiced serves after %1 s; see %2")
                               .arg(limitS)
                               .arg(c.paths.serviceLog()),
                           f);
    f.insert(QStringLiteral("pid"), now.pid);
    f.insert(QStringLiteral("state"), wireName(now.state));
    return c.out->result(
        f,
        QStringLiteral("restarted: sluiced is %1 (pid %2)").arg(wireName(now.state)).arg(now.pid));
}

int start(CtlContext &c)
{
    ServiceLink link(c.paths);
    RuntimeStatus st = link.persistedStatus();
    if (ServiceLink::processAlive(st) && st.state == GatewayState::Stopping) {
        // A stop is under way: "already running" would be untrue a moment later. Wait for the
        // exit (bounded by its stop budget), then decide as if it had been stopped.
        const RuntimeStatus stopping = st;
        const double limitS = stopWaitSeconds(link);
        c.out->info(QStringLiteral("sluiced (pid %1) is stopping; waiting for it to exit...")
                        .arg(stopping.pid));
        if (!link.waitUntil([&] { return !ServiceLink::processAlive(stopping); },
                            int(limitS * 1000), 100))
            return c.out->fail(Exit::Failed, QStringLiteral("timeout"),
                               QStringLiteral("sluiced (pid %1) is still stopping after %2 s")
                                   .arg(stopping.pid)
                                   .arg(limitS),
                               {{QStringLiteral("pid"), stopping.pid}});
        st = link.persistedStatus();
        if (st.restartRequested) // its replacement (or the service manager) brings it back
            link.waitUntil(
                [&] {
                    st = link.persistedStatus();
                    return ServiceLink::processAlive(st) && st.state != GatewayState::Stopping;
                },
                30000, 100);
    }
    if (ServiceLink::processAlive(st) || link.connect(1500)) {
        QJsonObject fields{{QStringLiteral("started"), false},
                           {QStringLiteral("already_running"), true},
                           {QStringLiteral("pid"), st.pid}};
        QString text = QStringLiteral("sluiced is already running (pid %1)").arg(st.pid);
        // Not a start, so nothing is cleared; but say why it refuses turns, if it does.
        if (link.connect(1500)) {
            const IpcReply s = link.call(QString::fromLatin1(Protocol::Cmd::Status), {}, 3000);
            const QString leftover = s.ok ? leftoverText(s.body) : QString();
            if (!leftover.isEmpty()) {
                text += QStringLiteral("; it drains because of ") + leftover;
                fields.insert(QStringLiteral("drain"), s.body.value(QStringLiteral("drain")));
            }
        }
        return c.out->result(fields, text);
    }
    if (c.isSet("if-desired") && st.desiredState == DesiredState::Stopped)
        return c.out->result({{QStringLiteral("started"), false},
                              {QStringLiteral("desired_state"), wireName(st.desiredState)}},
                             QStringLiteral("not starting: the last desired state is \"stopped\" "
                                            "(a planned stop); run `sluicectl start` to start it"));

    ServiceControl control(c.paths.home());
    const ServiceControl::Unit unit = ServiceControl::detect(c.paths.home());
    if (unit.installed() && !c.args.isEmpty())
        return usage(c, QStringLiteral("%1 defines sluiced's options; change them with `sluicectl "
                                       "service install --force` instead of after --")
                            .arg(unit.path));
    ServiceControl::Options options;
    options.sluicedArguments = c.args; // extra sluiced options after `--`
    options.keepDrain = c.isSet("keep-drain");
    const ServiceControl::Result r = control.runAndWait(ServiceControl::Action::Start, options);
    QJsonObject fields = r.toJson();
    fields.remove(QStringLiteral("ok"));
    fields.insert(QStringLiteral("unit"), unit.toJson());
    if (!r.ok)
        return c.out->fail(Exit::Failed, QStringLiteral("start_failed"), r.message, fields);
    if (r.drain.cleared)
        c.out->info(QStringLiteral("cleared a drain left from before the last stop (principal "
                                   "%1, %2 old); pass --keep-drain to keep such a drain")
                        .arg(r.drain.principal, humanAge(r.drain.ageS)));
    c.out->info(QStringLiteral("%1; waiting for it to serve...").arg(r.message));
    RuntimeStatus now;
    const bool up = waitServing(link, st, 30000, &now);
    const bool ours = r.pid <= 0 || now.pid == r.pid;
    if (!up || !ours)
        return c.out->fail(
            Exit::Failed, QStringLiteral("start_failed"),
            QStringLiteral("sluiced did not come up within 30 s; see %1%2")
                .arg(c.paths.serviceLog(), unit.installed()
                                               ? QStringLiteral(" and the service manager's log")
                                               : QString()),
            fields);
    fields.insert(QStringLiteral("started"), true);
    fields.insert(QStringLiteral("pid"), now.pid);
    fields.insert(QStringLiteral("state"), wireName(now.state));
    QString text = QStringLiteral("sluiced is %1 (pid %2)").arg(wireName(now.state)).arg(now.pid);
    if (now.state == GatewayState::Draining && link.connect(3000)) {
        const IpcReply s = link.call(QString::fromLatin1(Protocol::Cmd::Status), {}, 3000);
        const QString leftover = s.ok ? leftoverText(s.body) : QString();
        if (!leftover.isEmpty())
            text += QStringLiteral(": ") + leftover;
    }
    return c.out->result(fields, text);
}

int send(CtlContext &c)
{
    if (c.args.size() != 2)
        return usage(c, QStringLiteral("send needs SESSION and TEXT"));
    double timeoutS = 0;
    int code = 0;
    if (!waitTimeout(c, &timeoutS, &code))
        return code;
    if (!Protocol::isValidSessionName(c.args[0]))
        return usage(c, QStringLiteral("SESSION must be 1-128 characters of A-Za-z0-9._:@-"));
    // Every send carries a key (the caller's, or one of our own), so our own retry after a
    // lost answer, and the caller's retry with the same key, never start the turn twice.
    const QString key = c.isSet("idempotency-key")
                            ? c.value("idempotency-key")
                            : QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (key.isEmpty() || key.size() > 200)
        return usage(c, QStringLiteral("--idempotency-key must be 1-200 characters"));
    auto link = std::make_unique<ServiceLink>(c.paths);
    if (!connectOrFail(c, *link, &code))
        return code;
    const QJsonObject sendArgs{{QStringLiteral("session"), c.args[0]},
                               {QStringLiteral("text"), c.args[1]},
                               {QStringLiteral("idempotency_key"), key}};
    IpcReply r = link->call(QString::fromLatin1(Protocol::Cmd::Send), sendArgs);
    if (!r.ok && (r.errorCode == QLatin1String(Protocol::Error::Timeout) ||
                  r.errorCode == QLatin1String(Protocol::Error::Disconnected))) {
        // The request may have been taken before the answer was lost: ask again, same key.
        link = std::make_unique<ServiceLink>(c.paths);
        if (link->connect(5000))
            r = link->call(QString::fromLatin1(Protocol::Cmd::Send), sendArgs);
    }
    if (!r.ok)
        return failFromReply(c, r);
    const QString turnId = r.body.value(QStringLiteral("turn_id")).toString();
    if (c.isSet("follow")) {
        c.out->raw(QStringLiteral("[turn %1]\n").arg(turnId), true);
        return followTurn(c, *link, turnId, timeoutS);
    }
    if (!c.isSet("wait"))
        return c.out->result(stripEnvelope(r.body), turnId);

    QJsonObject turn;
    QElapsedTimer clock;
    clock.start();
    bool done = false;
    int unanswered = 0;
    for (;;) {
        const IpcReply last = link->call(QString::fromLatin1(Protocol::Cmd::Turn),
                                         {{QStringLiteral("turn_id"), turnId}}, 5000);
        if (last.ok)
            turn = stripEnvelope(last.body);
        unanswered = last.errorCode == QLatin1String(Protocol::Error::Timeout) ? unanswered + 1 : 0;
        if (unanswered >= 3)
            return c.out->fail(Exit::NotRunning, QStringLiteral("timeout"),
                               QStringLiteral("the service stopped answering"), turn);
        if (link->disconnected() ||
            isFinalTurnState(turn.value(QStringLiteral("state")).toString())) {
            done = true;
            break;
        }
        if (timeoutS > 0 && clock.elapsed() >= qint64(timeoutS * 1000))
            break;
        ServiceLink::spin(200);
    }
    if (!done)
        return c.out->fail(
            Exit::Failed, QStringLiteral("timeout"),
            QStringLiteral("turn %1 not finished after %2 s").arg(turnId).arg(timeoutS), turn);
    if (!isFinalTurnState(turn.value(QStringLiteral("state")).toString()))
        return c.out->fail(
            Exit::NotRunning, QStringLiteral("disconnected"),
            QStringLiteral("the service went away before turn %1 finished").arg(turnId), turn);
    const QString state = turn.value(QStringLiteral("state")).toString();
    QString text = turn.value(QStringLiteral("output")).toString();
    if (state == QLatin1String("done"))
        return c.out->result(turn, text);
    // A turn that did not succeed fails the command: in JSON with the usual error object.
    if (c.out->json())
        return c.out->fail(Exit::Failed, QStringLiteral("turn_") + state,
                           QStringLiteral("turn %1 ended %2").arg(turnId, state), turn);
    text += QStringLiteral("\n[turn %1: %2]").arg(turnId, state);
    return c.out->result(turn, text, Exit::Failed);
}

int turn(CtlContext &c)
{
    if (c.args.size() != 1)
        return usage(c, QStringLiteral("turn needs a TURN_ID"));
    QJsonObject t;
    int code = 0;
    if (!callOnce(c, Protocol::Cmd::Turn, {{QStringLiteral("turn_id"), c.args[0]}}, &t, &code))
        return code;
    QString text = QStringLiteral("turn %1 (session %2): %3")
                       .arg(t.value(QStringLiteral("turn_id")).toString(),
                            t.value(QStringLiteral("session")).toString(),
                            t.value(QStringLiteral("state")).toString());
    if (!t.value(QStringLiteral("exit_code")).isNull() && t.contains(QStringLiteral("exit_code")))
        text += QStringLiteral(", exit code %1").arg(t.value(QStringLiteral("exit_code")).toInt());
    if (t.value(QStringLiteral("truncated")).toBool())
        text += QStringLiteral(" (output truncated)");
    const QString output = t.value(QStringLiteral("output")).toString();
    if (!output.isEmpty())
        text += QLatin1Char('\n') + output;
    return c.out->result(t, text);
}

int followTurn(CtlContext &c, ServiceLink &link, const QString &turnId, double timeoutS)
{
    // Output goes to stdout (stderr lines to stderr) as the service streams it; with --json
    // it is gathered into the one document printed at the end.
    QString out;
    QString err;
    qint64 skipped = 0;
    QJsonObject end;
    const auto events = QObject::connect(
        link.client(), &IpcClient::eventReceived, link.client(),
        [&](const QString &name, const QJsonObject &ev) {
            if (ev.value(QStringLiteral("turn_id")).toString() != turnId)
                return;
            if (name == QLatin1String(Protocol::Event::TurnOutput)) {
                const QString data = ev.value(QStringLiteral("data")).toString();
                const bool isErr =
                    ev.value(QStringLiteral("stream")).toString() == QLatin1String("stderr");
                const qint64 lost = ev.value(QStringLiteral("skipped")).toInteger();
                if (lost > 0) {
                    skipped += lost;
                    c.out->raw(
                        QStringLiteral("\n[%1 bytes of %2 skipped: this terminal fell "
                                       "behind]\n")
                            .arg(lost)
                            .arg(isErr ? QStringLiteral("stderr") : QStringLiteral("stdout")),
                        true);
                }
                (isErr ? err : out) += data;
                c.out->raw(data, isErr);
            } else if (name == QLatin1String(Protocol::Event::Turn) &&
                       isFinalTurnState(ev.value(QStringLiteral("state")).toString())) {
                end = ev;
            }
        });
    struct Disconnect
    {
        QMetaObject::Connection c;
        ~Disconnect() { QObject::disconnect(c); }
    } guard{events};
    const IpcReply r = link.call(QString::fromLatin1(Protocol::Cmd::Follow),
                                 {{QStringLiteral("turn_id"), turnId}});
    if (!r.ok)
        return failFromReply(c, r);
    out = r.body.value(QStringLiteral("output")).toString() + out;
    c.out->raw(r.body.value(QStringLiteral("output")).toString());
    if (isFinalTurnState(r.body.value(QStringLiteral("state")).toString()))
        end = r.body;
    else if (!link.waitUntil([&] { return !end.isEmpty() || link.disconnected(); },
                             timeoutS > 0 ? int(timeoutS * 1000) : 0, 1000))
        return c.out->fail(
            Exit::Failed, QStringLiteral("timeout"),
            QStringLiteral("turn %1 not finished after %2 s").arg(turnId).arg(timeoutS),
            {{QStringLiteral("turn_id"), turnId}, {QStringLiteral("output"), out}});
    if (end.isEmpty())
        return c.out->fail(
            Exit::NotRunning, QStringLiteral("disconnected"),
            QStringLiteral("the service went away before turn %1 finished").arg(turnId),
            {{QStringLiteral("turn_id"), turnId}, {QStringLiteral("output"), out}});
    const QString state = end.value(QStringLiteral("state")).toString();
    QJsonObject fields{{QStringLiteral("turn_id"), turnId},
                       {QStringLiteral("session"), r.body.value(QStringLiteral("session"))},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("exit_code"), end.value(QStringLiteral("exit_code"))},
                       {QStringLiteral("output"), out},
                       {QStringLiteral("stderr"), err}};
    if (skipped > 0)
        fields.insert(QStringLiteral("skipped"), skipped);
    if (state == QLatin1String("done"))
        return c.out->result(fields, QString());
    if (c.out->json())
        return c.out->fail(Exit::Failed, QStringLiteral("turn_") + state,
                           QStringLiteral("turn %1 ended %2").arg(turnId, state), fields);
    c.out->raw(QStringLiteral("\n[turn %1: %2]\n").arg(turnId, state), true);
    return Exit::Failed;
}

int follow(CtlContext &c)
{
    if (c.args.size() != 1)
        return usage(c, QStringLiteral("follow needs a TURN_ID"));
    bool bad = false;
    const double timeoutS = c.seconds("timeout", 0, &bad);
    if (bad)
        return usage(c, QStringLiteral("--timeout needs a number of seconds"));
    ServiceLink link(c.paths);
    int code = 0;
    if (!connectOrFail(c, link, &code))
        return code;
    return followTurn(c, link, c.args[0], timeoutS);
}

int turns(CtlContext &c)
{
    QJsonObject args;
    if (c.isSet("session")) {
        if (!Protocol::isValidSessionName(c.value("session")))
            return usage(c, QStringLiteral("SESSION must be 1-128 characters of A-Za-z0-9._:@-"));
        args.insert(QStringLiteral("session"), c.value("session"));
    }
    if (c.isSet("state"))
        args.insert(QStringLiteral("state"), c.value("state"));
    if (c.isSet("limit")) {
        bool ok = false;
        const int n = c.value("limit").toInt(&ok);
        if (!ok || n < 1 || n > 200)
            return usage(c, QStringLiteral("--limit must be a number from 1 to 200"));
        args.insert(QStringLiteral("limit"), n);
    }
    QJsonObject f;
    int code = 0;
    if (!callOnce(c, Protocol::Cmd::Turns, args, &f, &code))
        return code;
    const QJsonArray list = f.value(QStringLiteral("turns")).toArray();
    if (list.isEmpty())
        return c.out->result(f, QStringLiteral("no turns"));
    QStringList lines;
    lines << pad(QStringLiteral("TURN"), 20) + pad(QStringLiteral("SESSION"), 16) +
                 pad(QStringLiteral("STATE"), 13) + pad(QStringLiteral("CREATED"), 22) +
                 pad(QStringLiteral("DURATION"), 10) + pad(QStringLiteral("EXIT"), 6) +
                 QStringLiteral("OUTPUT");
    for (const QJsonValue &v : list) {
        const QJsonObject t = v.toObject();
        QString state = t.value(QStringLiteral("state")).toString();
        if (t.contains(QStringLiteral("queue_position")))
            state += QStringLiteral(" #%1").arg(t.value(QStringLiteral("queue_position")).toInt());
        const QJsonValue duration = t.value(QStringLiteral("duration_s"));
        const QJsonValue exit = t.value(QStringLiteral("exit_code"));
        QString preview = t.value(QStringLiteral("preview")).toString().simplified();
        if (preview.size() > 40)
            preview = preview.left(39) + QChar(0x2026);
        lines << pad(t.value(QStringLiteral("turn_id")).toString(), 20) +
                     pad(t.value(QStringLiteral("session")).toString(), 16) + pad(state, 13) +
                     pad(t.value(QStringLiteral("created_at"))
                             .toString()
                             .left(19)
                             .replace(QLatin1Char('T'), QLatin1Char(' ')),
                         22) +
                     pad(duration.isDouble() ? fmtSeconds(duration.toDouble())
                                             : QStringLiteral("-"),
                         10) +
                     pad(exit.isDouble() ? QString::number(exit.toInt()) : QStringLiteral("-"), 6) +
                     preview;
    }
    return c.out->result(f, lines.join(QLatin1Char('\n')));
}

int interrupt(CtlContext &c)
{
    QJsonObject args;
    if (c.isSet("session")) {
        if (!c.args.isEmpty())
            return usage(c, QStringLiteral("interrupt takes a TURN_ID or --session, not both"));
        if (!Protocol::isValidSessionName(c.value("session")))
            return usage(c, QStringLiteral("SESSION must be 1-128 characters of A-Za-z0-9._:@-"));
        args.insert(QStringLiteral("session"), c.value("session"));
    } else {
        if (c.args.size() != 1)
            return usage(c, QStringLiteral("interrupt needs a TURN_ID or --session SESSION"));
        args.insert(QStringLiteral("turn_id"), c.args[0]);
    }
    QJsonObject f;
    int code = 0;
    if (!callOnce(c, Protocol::Cmd::Interrupt, args, &f, &code))
        return code;
    return c.out->result(f, QStringLiteral("interrupted %1 turn(s)")
                                .arg(f.value(QStringLiteral("interrupted")).toInt()));
}

int shutdownReport(CtlContext &c)
{
    // From the running service when there is one, else straight from the file (the usual case:
    // the report of a stop is read after the stop).
    ServiceLink link(c.paths);
    QJsonObject report;
    QString source;
    if (link.connect(1500)) {
        const IpcReply r = link.call(QString::fromLatin1(Protocol::Cmd::ShutdownReport));
        if (r.ok) {
            report = stripEnvelope(r.body);
            source = QStringLiteral("service");
        }
    }
    if (report.isEmpty() || !report.contains(QStringLiteral("phases"))) {
        const JsonFile f = readJsonFile(c.paths.lastShutdown());
        if (f.isObject()) {
            report = f.object;
            source = QStringLiteral("file");
        }
    }
    if (report.isEmpty())
        return c.out->fail(
            Exit::Failed, QStringLiteral("not_found"),
            QStringLiteral("no shutdown recorded in %1").arg(c.paths.lastShutdown()));
    report.insert(QStringLiteral("source"), source);
    return c.out->result(report, formatShutdownReport(report));
}

} // namespace Commands
} // namespace sluice::ctl
