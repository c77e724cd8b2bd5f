#include "ctl/doctor.h"

#include "ctl/ctloutput.h"
#include "ctl/serviceinstaller.h"

#include "sluice/drainmarker.h"
#include "sluice/epoch.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "sluice/protocol.h"

#include <QDir>
#include <QFileDevice>
#include <QFileInfo>
#include <QJsonArray>
#include <QLockFile>

namespace sluice::ctl {

namespace {
struct Finding
{
    QString name;
    QString verdict; // ok, warn, fail
    QString detail;
};

#ifdef Q_OS_UNIX
bool groupOrOtherAccess(const QFileInfo &fi)
{
    const auto p = fi.permissions();
    return p & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
}
#endif

QString modeString(const QFileInfo &fi)
{
    const auto p = fi.permissions();
    int mode = 0;
    if (p & QFileDevice::ReadOwner)
        mode |= 0400;
    if (p & QFileDevice::WriteOwner)
        mode |= 0200;
    if (p & QFileDevice::ExeOwner)
        mode |= 0100;
    if (p & QFileDevice::ReadGroup)
        mode |= 040;
    if (p & QFileDevice::WriteGroup)
        mode |= 020;
    if (p & QFileDevice::ExeGroup)
        mode |= 010;
    if (p & QFileDevice::ReadOther)
        mode |= 04;
    if (p & QFileDevice::WriteOther)
        mode |= 02;
    if (p & QFileDevice::ExeOther)
        mode |= 01;
    return QStringLiteral("0%1").arg(mode, 3, 8, QLatin1Char('0'));
}
} // namespace

int doctor(CtlContext &c)
{
    QList<Finding> findings;
    auto add = [&](const QString &name, const QString &verdict, const QString &detail) {
        findings.append({name, verdict, detail});
    };

    ServiceLink link(c.paths);
    const RuntimeStatus st = link.persistedStatus();
    const bool alive = ServiceLink::processAlive(st);
    QJsonObject liveStatus;
    if (alive && link.connect(2000)) {
        const IpcReply r = link.call(QString::fromLatin1(Protocol::Cmd::Status), {}, 5000);
        if (r.ok)
            liveStatus = r.body;
    }

    // HOME
    const QFileInfo home(c.paths.home());
    if (!home.exists())
        add(QStringLiteral("home"), QStringLiteral("warn"),
            QStringLiteral("%1 does not exist yet (created on first start)").arg(home.filePath()));
    else
        add(QStringLiteral("home"), QStringLiteral("ok"), home.filePath());

    // Service / state file
    if (alive) {
        add(QStringLiteral("service"),
            liveStatus.isEmpty() ? QStringLiteral("fail") : QStringLiteral("ok"),
            liveStatus.isEmpty()
                ? QStringLiteral("pid %1 is alive but does not answer on its socket").arg(st.pid)
                : QStringLiteral("running (pid %1, state %2)")
                      .arg(st.pid)
                      .arg(liveStatus.value(QStringLiteral("state")).toString()));
    } else if (!QFileInfo::exists(c.paths.stateFile())) {
        add(QStringLiteral("service"), QStringLiteral("ok"),
            QStringLiteral("never started in this HOME"));
    } else if (st.state != GatewayState::Stopped && st.state != GatewayState::StartupFailed) {
        add(QStringLiteral("service"), QStringLiteral("warn"),
            QStringLiteral(
                "not running, but the state file says \"%1\" (pid %2): the last run ended "
                "without a clean stop (killed or crashed)")
                .arg(wireName(st.state))
                .arg(st.pid));
    } else {
        add(QStringLiteral("service"), QStringLiteral("ok"),
            QStringLiteral("not running (last state %1, desired %2)")
                .arg(wireName(st.state), wireName(st.desiredState)));
    }

    // Whether HOME can be written (only a running service knows)
    if (!liveStatus.isEmpty()) {
        const QJsonObject storage = liveStatus.value(QStringLiteral("storage")).toObject();
        if (storage.value(QStringLiteral("available")).toBool(true))
            add(QStringLiteral("storage"), QStringLiteral("ok"),
                QStringLiteral("HOME is writable"));
        else
            add(QStringLiteral("storage"), QStringLiteral("fail"),
                QStringLiteral("HOME cannot be written since %1 (%2): new turns are refused; free "
                               "space or make HOME writable, the service recovers by itself")
                    .arg(storage.value(QStringLiteral("since")).toString(),
                         storage.value(QStringLiteral("error")).toString()));
    }

    // Containment of turns (only a running service knows which it got)
    if (!liveStatus.isEmpty()) {
        const QString mode = liveStatus.value(QStringLiteral("containment")).toString();
        const QJsonObject detail =
            liveStatus.value(QStringLiteral("containment_detail")).toObject();
        if (mode == QLatin1String("cgroup")) {
            QStringList controllers;
            const QJsonArray list = detail.value(QStringLiteral("controllers")).toArray();
            for (const QJsonValue &v : list)
                controllers << v.toString();
            add(QStringLiteral("containment"), QStringLiteral("ok"),
                QStringLiteral("cgroup %1 (accounting: cpu%2)")
                    .arg(detail.value(QStringLiteral("cgroup")).toString(),
                         controllers.contains(QStringLiteral("memory"))
                             ? QStringLiteral(", memory")
                             : QStringLiteral("; no memory controller, so no memory figures "
                                              "or memory limit")));
        } else if (mode == QLatin1String("process-group")) {
            add(QStringLiteral("containment"), QStringLiteral("warn"),
                QStringLiteral("process groups: a tool that leaves its session and clears its "
                               "environment can outlive its turn; run as root or under systemd "
                               "(the generated unit sets Delegate=yes) for cgroup containment"));
        } else if (!mode.isEmpty()) {
            add(QStringLiteral("containment"), QStringLiteral("ok"), mode);
        }
    }

    // A state.db that was unreadable at some start, kept aside
    {
        const QStringList aside =
            QDir(c.paths.home())
                .entryList({QStringLiteral("state.db.corrupt-*")}, QDir::Files, QDir::Name);
        QStringList files;
        for (const QString &f : aside) {
            if (!f.endsWith(QLatin1String("-wal")) && !f.endsWith(QLatin1String("-shm")))
                files << f;
        }
        if (files.isEmpty())
            add(QStringLiteral("store"), QStringLiteral("ok"), QStringLiteral("state.db"));
        else
            add(QStringLiteral("store"), QStringLiteral("warn"),
                QStringLiteral("an unreadable state.db was moved aside (%1); the turns in it are "
                               "not served; inspect it with sqlite3, then delete it")
                    .arg(files.join(QStringLiteral(", "))));
    }

    // Lock
    {
        QLockFile lock(c.paths.lockFile());
        qint64 pid = 0;
        QString host, app;
        if (!QFileInfo::exists(c.paths.lockFile())) {
            add(QStringLiteral("lock"), QStringLiteral("ok"), QStringLiteral("no lock file"));
        } else if (!lock.getLockInfo(&pid, &host, &app)) {
            add(QStringLiteral("lock"), QStringLiteral("warn"),
                QStringLiteral("%1 is unreadable; the next start replaces it")
                    .arg(c.paths.lockFile()));
        } else if (ProcessIdentity::isAlive(pid)) {
            add(QStringLiteral("lock"), QStringLiteral("ok"),
                QStringLiteral("held by live pid %1%2")
                    .arg(pid)
                    .arg(alive && pid != st.pid
                             ? QStringLiteral(" (not the pid in the state file!)")
                             : QString()));
        } else {
            add(QStringLiteral("lock"), QStringLiteral("ok"),
                QStringLiteral("left by dead pid %1; harmless, the next start takes it over")
                    .arg(pid));
        }
    }

    // Drain marker
    {
        const DrainMarker marker(c.paths.drainMarker(), InstantiationEpoch::current());
        const DrainMarker::Decision d = marker.evaluate();
        const QString reason = d.reason.isEmpty() ? QString() : QStringLiteral(": ") + d.reason;
        switch (d.verdict) {
        case DrainMarker::Verdict::Absent:
            add(QStringLiteral("drain_marker"), QStringLiteral("ok"), QStringLiteral("none"));
            break;
        case DrainMarker::Verdict::Active: {
            const bool serviceIgnores =
                !liveStatus.isEmpty() &&
                liveStatus.value(QStringLiteral("state")).toString() == QLatin1String("running");
            const QJsonObject leftover = liveStatus.value(QStringLiteral("drain"))
                                             .toObject()
                                             .value(QStringLiteral("leftover"))
                                             .toObject();
            const QString corrupt = d.corrupt ? QStringLiteral(" (corrupt content)") : QString();
            if (serviceIgnores) {
                add(QStringLiteral("drain_marker"), QStringLiteral("fail"),
                    QStringLiteral("active marker but the service is running (not draining)%1")
                        .arg(reason));
            } else if (!leftover.isEmpty()) {
                // Draining since its start, from a marker older than this process: nobody
                // asked this life of the service to drain.
                add(QStringLiteral("drain_marker"), QStringLiteral("warn"),
                    QStringLiteral("the service is draining because of a drain left from before "
                                   "it started (principal %1, %2 old)%3; `%4` ends it")
                        .arg(leftover.value(QStringLiteral("principal")).toString(),
                             humanAge(leftover.value(QStringLiteral("age_s")).toDouble(-1)),
                             corrupt, leftover.value(QStringLiteral("cancel")).toString()));
            } else if (liveStatus.isEmpty()) {
                add(QStringLiteral("drain_marker"), QStringLiteral("warn"),
                    QStringLiteral("active, and the service is not running: it will start "
                                   "draining (principal %1, %2 old)%3; `sluicectl start` clears "
                                   "it, `sluicectl start --keep-drain` keeps it")
                        .arg(d.content.value(QStringLiteral("principal"))
                                 .toString(QStringLiteral("unknown")),
                             humanAge(marker.requestedAt().isValid()
                                          ? double(marker.requestedAt().secsTo(
                                                QDateTime::currentDateTimeUtc()))
                                          : -1),
                             corrupt));
            } else {
                add(QStringLiteral("drain_marker"), QStringLiteral("ok"),
                    QStringLiteral("active: the gateway drains%1%2").arg(reason, corrupt));
            }
            break;
        }
        case DrainMarker::Verdict::OtherEpoch:
            add(QStringLiteral("drain_marker"), QStringLiteral("warn"),
                QStringLiteral("stale (earlier machine instantiation)%1; the service ignores and "
                               "removes it")
                    .arg(reason));
            break;
        case DrainMarker::Verdict::Expired:
            add(QStringLiteral("drain_marker"), QStringLiteral("warn"),
                QStringLiteral("expired%1; the service ignores and removes it").arg(reason));
            break;
        }
    }

    // Planned-stop marker
    {
        const PlannedStopMarker marker(c.paths.plannedStopMarker());
        const PlannedStopMarker::Probe p =
            marker.probe(alive ? st.pid : -1, alive ? st.startTime : -1);
        const bool targetAlive =
            p.targetPid > 0 && ProcessIdentity::isSameProcess(p.targetPid, p.targetStartTime);
        switch (p.verdict) {
        case PlannedStopMarker::Verdict::Absent:
            add(QStringLiteral("planned_stop_marker"), QStringLiteral("ok"),
                QStringLiteral("none"));
            break;
        case PlannedStopMarker::Verdict::Self:
            add(QStringLiteral("planned_stop_marker"), QStringLiteral("ok"),
                QStringLiteral("a stop of the running service (pid %1) is in progress")
                    .arg(p.targetPid));
            break;
        case PlannedStopMarker::Verdict::Other:
            add(QStringLiteral("planned_stop_marker"),
                targetAlive ? QStringLiteral("ok") : QStringLiteral("warn"),
                targetAlive
                    ? QStringLiteral("a stop of pid %1 is in progress").arg(p.targetPid)
                    : QStringLiteral("names pid %1, which is not running; removed after 60 s")
                          .arg(p.targetPid));
            break;
        case PlannedStopMarker::Verdict::Expired:
            add(QStringLiteral("planned_stop_marker"), QStringLiteral("warn"),
                QStringLiteral("stale (older than 60 s, names pid %1); the service removes it")
                    .arg(p.targetPid));
            break;
        case PlannedStopMarker::Verdict::Malformed:
            add(QStringLiteral("planned_stop_marker"), QStringLiteral("warn"),
                QStringLiteral("malformed: %1").arg(p.reason));
            break;
        }
    }

    // Socket and its folder
    {
        const QString socket = IpcClient::socketForHome(c.paths.home());
#ifdef Q_OS_UNIX
        const QFileInfo dir(QFileInfo(socket).absolutePath());
        if (dir.exists() && groupOrOtherAccess(dir))
            add(QStringLiteral("socket_dir"), QStringLiteral("fail"),
                QStringLiteral("%1 is mode %2; group/others must have no access (want 0700)")
                    .arg(dir.filePath(), modeString(dir)));
        else
            add(QStringLiteral("socket_dir"), QStringLiteral("ok"),
                dir.exists() ? QStringLiteral("%1 (%2)").arg(dir.filePath(), modeString(dir))
                             : QStringLiteral("%1 not created yet").arg(dir.filePath()));
        const QFileInfo sock(socket);
        if (!sock.exists())
            add(QStringLiteral("socket"), alive ? QStringLiteral("fail") : QStringLiteral("ok"),
                alive ? QStringLiteral("%1 missing while the service runs").arg(socket)
                      : QStringLiteral("%1 absent (service not running)").arg(socket));
        else if (groupOrOtherAccess(sock))
            add(QStringLiteral("socket"), QStringLiteral("fail"),
                QStringLiteral("%1 is mode %2; group/others must have no access")
                    .arg(socket, modeString(sock)));
        else
            add(QStringLiteral("socket"), QStringLiteral("ok"),
                QStringLiteral("%1 (%2)").arg(socket, modeString(sock)));
#else
        add(QStringLiteral("socket"), QStringLiteral("ok"), socket);
#endif
    }

    // Token
    {
        const QFileInfo token(c.paths.controlToken());
        if (!token.exists())
            add(QStringLiteral("control_token"),
                alive ? QStringLiteral("warn") : QStringLiteral("ok"),
                QStringLiteral("%1 absent (created on first start with HTTP on)")
                    .arg(token.filePath()));
#ifdef Q_OS_UNIX
        else if (groupOrOtherAccess(token))
            add(QStringLiteral("control_token"), QStringLiteral("fail"),
                QStringLiteral("%1 is mode %2; want 0600 (chmod 600 it, or delete it and restart)")
                    .arg(token.filePath(), modeString(token)));
#endif
        else
            add(QStringLiteral("control_token"), QStringLiteral("ok"),
                QStringLiteral("%1 (%2)").arg(token.filePath(), modeString(token)));
    }

    // Service-manager alignment: what the running service measured, and the installed unit.
    {
        const QJsonObject sup = liveStatus.value(QStringLiteral("supervisor")).toObject();
        if (!sup.isEmpty() && sup.value(QStringLiteral("checked")).toBool()) {
            const bool aligned = sup.value(QStringLiteral("aligned")).toBool(true);
            add(QStringLiteral("alignment"),
                aligned ? QStringLiteral("ok") : QStringLiteral("fail"),
                sup.value(QStringLiteral("message")).toString());
        } else {
            add(QStringLiteral("alignment"), QStringLiteral("ok"),
                sup.isEmpty() ? QStringLiteral("service not running; see service_definition")
                              : QStringLiteral("not under a checked service manager (%1)")
                                    .arg(sup.value(QStringLiteral("manager")).toString()));
        }
        ServiceInstaller installer(c);
        int ignored = 0;
        if (installer.resolve(&ignored)) {
            const ServiceInstaller::Check chk = installer.check();
            if (!chk.installed) {
                add(QStringLiteral("service_definition"), QStringLiteral("ok"),
                    QStringLiteral("none installed at %1").arg(chk.path));
            } else if (chk.installedTimeoutStopS >= 0 && chk.installedTimeoutStopS < chk.budgetS) {
                add(QStringLiteral("service_definition"), QStringLiteral("fail"),
                    QStringLiteral(
                        "%1: TimeoutStopSec=%2 is shorter than the stop budget %3 s; run "
                        "`sluicectl service install --force`")
                        .arg(chk.path)
                        .arg(chk.installedTimeoutStopS)
                        .arg(chk.budgetS));
            } else if (chk.drift) {
                add(QStringLiteral("service_definition"), QStringLiteral("warn"),
                    QStringLiteral("%1 differs from the generated definition (drift); `sluicectl "
                                   "service status` shows how")
                        .arg(chk.path));
            } else {
                add(QStringLiteral("service_definition"), QStringLiteral("ok"),
                    QStringLiteral("%1 up to date").arg(chk.path));
            }
        }
    }

    bool anyFail = false;
    int warnings = 0;
    QJsonArray checks;
    QStringList lines;
    for (const Finding &f : findings) {
        anyFail = anyFail || f.verdict == QLatin1String("fail");
        warnings += f.verdict == QLatin1String("warn") ? 1 : 0;
        checks.append(QJsonObject{{QStringLiteral("name"), f.name},
                                  {QStringLiteral("verdict"), f.verdict},
                                  {QStringLiteral("detail"), f.detail}});
        lines << QStringLiteral("[%1] %2: %3")
                     .arg(f.verdict.toUpper().leftJustified(4, QLatin1Char(' ')), f.name, f.detail);
    }
    lines << (anyFail    ? QStringLiteral("doctor: problems found")
              : warnings ? QStringLiteral("doctor: ok, with %1 warning(s)").arg(warnings)
                         : QStringLiteral("doctor: all checks ok"));
    const QJsonObject fields{{QStringLiteral("checks"), checks},
                             {QStringLiteral("verdict"), anyFail    ? QStringLiteral("fail")
                                                         : warnings ? QStringLiteral("warn")
                                                                    : QStringLiteral("ok")}};
    if (anyFail) {
        if (c.out->json())
            return c.out->fail(Exit::Failed, QStringLiteral("doctor_failed"),
                               QStringLiteral("one or more checks failed"), fields);
        c.out->result({}, lines.join(QLatin1Char('\n')), Exit::Failed);
        return Exit::Failed;
    }
    return c.out->result(fields, lines.join(QLatin1Char('\n')));
}

} // namespace sluice::ctl
