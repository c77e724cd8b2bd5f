#include "sluice/servicecontrol.h"

#include "sluice/atomicjson.h"
#include "sluice/drainmarker.h"
#include "sluice/epoch.h"
#include "sluice/paths.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "sluice/runtimestatus.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sluice {

namespace {
constexpr char SystemdUnit[] = "sluiced.service";
constexpr char LaunchdLabel[] = "io.sluice.sluiced";
constexpr char WindowsTask[] = "Sluice\\sluiced";

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

#if !defined(Q_OS_MACOS) && !defined(Q_OS_WIN)
QString userConfigDir()
{
    const QString xdg = qEnvironmentVariable("XDG_CONFIG_HOME");
    return xdg.isEmpty() ? QDir::homePath() + QStringLiteral("/.config") : xdg;
}
#endif

QString uid()
{
#ifdef Q_OS_UNIX
    return QString::number(::getuid());
#else
    return QString();
#endif
}

// Does a definition file name this HOME? The generators write HOME as --home's value, quoted
// for systemd (a % doubled) or XML-escaped for plists and task XML.
bool namesHome(const QString &content, const QString &home)
{
    if (content.isEmpty())
        return false;
    QString systemd = home;
    systemd.replace(QLatin1String("%"), QLatin1String("%%"));
    return content.contains(home) || content.contains(systemd) ||
           content.contains(home.toHtmlEscaped());
}

QString launchdTarget(ServiceControl::Manager m)
{
    return (m == ServiceControl::Manager::LaunchdDaemon ? QStringLiteral("system")
                                                        : QStringLiteral("gui/") + uid()) +
           QLatin1Char('/') + QLatin1String(LaunchdLabel);
}

QStringList systemctl(ServiceControl::Manager m, const QString &verb)
{
    QStringList argv{QStringLiteral("systemctl")};
    if (m == ServiceControl::Manager::SystemdUser)
        argv << QStringLiteral("--user");
    argv << verb << QString::fromLatin1(SystemdUnit);
    return argv;
}

RuntimeStatus persistedStatus(const HomePaths &paths)
{
    const JsonFile f = readJsonFile(paths.stateFile());
    return f.isObject() ? RuntimeStatus::fromJson(f.object) : RuntimeStatus();
}

QString pastTense(ServiceControl::Action a)
{
    switch (a) {
    case ServiceControl::Action::Start:
        return QStringLiteral("started");
    case ServiceControl::Action::Stop:
        return QStringLiteral("stopped");
    case ServiceControl::Action::Restart:
        return QStringLiteral("restarted");
    }
    return QString();
}

bool serving(const RuntimeStatus &s)
{
    return s.pid > 0 && ProcessIdentity::isSameProcess(s.pid, s.startTime) &&
           (s.state == GatewayState::Running || s.state == GatewayState::Draining ||
            s.state == GatewayState::Starting);
}
} // namespace

QJsonObject ServiceControl::Unit::toJson() const
{
    if (!installed())
        return {{QStringLiteral("manager"), managerName(manager)}};
    return {{QStringLiteral("manager"), managerName(manager)},
            {QStringLiteral("name"), name},
            {QStringLiteral("path"), path}};
}

QJsonObject ServiceControl::Result::toJson() const
{
    QJsonObject o{{QStringLiteral("ok"), ok},
                  {QStringLiteral("action"), actionName(action)},
                  {QStringLiteral("via"), managerName(via)},
                  {QStringLiteral("message"), message}};
    if (alreadyRunning)
        o.insert(QStringLiteral("already_running"), true);
    if (pid > 0)
        o.insert(QStringLiteral("pid"), pid);
    if (!command.isEmpty())
        o.insert(QStringLiteral("command"), command.join(QLatin1Char(' ')));
    if (drain.cleared)
        o.insert(QStringLiteral("cleared_drain"),
                 QJsonObject{{QStringLiteral("principal"), drain.principal},
                             {QStringLiteral("age_s"), drain.ageS}});
    return o;
}

ServiceControl::ServiceControl(const QString &home, QObject *parent)
    : QObject(parent)
    , m_home(QDir::cleanPath(QDir(home).absolutePath()))
{}

ServiceControl::~ServiceControl()
{
    if (m_process) {
        // Nobody is left to hear its result. Ending the client (systemctl, launchctl) does not
        // cancel what it asked the manager for.
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString ServiceControl::managerName(Manager m)
{
    switch (m) {
    case Manager::None:
        return QStringLiteral("none");
    case Manager::SystemdUser:
        return QStringLiteral("systemd-user");
    case Manager::SystemdSystem:
        return QStringLiteral("systemd-system");
    case Manager::LaunchdAgent:
        return QStringLiteral("launchd-agent");
    case Manager::LaunchdDaemon:
        return QStringLiteral("launchd-daemon");
    case Manager::WindowsTask:
        return QStringLiteral("windows-task");
    }
    return QStringLiteral("none");
}

QString ServiceControl::actionName(Action a)
{
    switch (a) {
    case Action::Start:
        return QStringLiteral("start");
    case Action::Stop:
        return QStringLiteral("stop");
    case Action::Restart:
        return QStringLiteral("restart");
    }
    return QString();
}

ServiceControl::Unit ServiceControl::detect(const QString &homeIn)
{
    const QString home = QDir::cleanPath(QDir(homeIn).absolutePath());
    // $SLUICE_UNIT_DIR replaces the folder, as for `sluicectl service install`.
    const QString overrideDir = qEnvironmentVariable("SLUICE_UNIT_DIR");
    auto at = [&](const QString &dir, const QString &file) {
        return QDir(overrideDir.isEmpty() ? dir : overrideDir).filePath(file);
    };
    struct Candidate
    {
        Manager manager;
        QString name;
        QString path;
    };
    QList<Candidate> candidates;
#if defined(Q_OS_MACOS)
    const QString plist = QString::fromLatin1(LaunchdLabel) + QStringLiteral(".plist");
    candidates << Candidate{Manager::LaunchdAgent, QString::fromLatin1(LaunchdLabel),
                            at(QDir::homePath() + QStringLiteral("/Library/LaunchAgents"), plist)}
               << Candidate{Manager::LaunchdDaemon, QString::fromLatin1(LaunchdLabel),
                            at(QStringLiteral("/Library/LaunchDaemons"), plist)};
#elif defined(Q_OS_WIN)
    candidates << Candidate{Manager::WindowsTask, QString::fromLatin1(WindowsTask),
                            at(home, QStringLiteral("sluiced-task.xml"))};
#else
    const QString unit = QString::fromLatin1(SystemdUnit);
    candidates << Candidate{Manager::SystemdUser, unit,
                            at(userConfigDir() + QStringLiteral("/systemd/user"), unit)};
    if (overrideDir.isEmpty())
        candidates << Candidate{Manager::SystemdSystem, unit,
                                at(QStringLiteral("/etc/systemd/system"), unit)};
#endif
    for (const Candidate &c : std::as_const(candidates)) {
        const QString content = readText(c.path);
        if (!namesHome(content, home))
            continue;
        Unit u{c.manager, c.name, c.path};
        // One folder for both scopes under $SLUICE_UNIT_DIR: the unit's target says which.
        if (c.manager == Manager::SystemdUser &&
            content.contains(QLatin1String("WantedBy=multi-user.target")))
            u.manager = Manager::SystemdSystem;
        return u;
    }
    return {};
}

QStringList ServiceControl::managerCommand(const Unit &unit, Action action)
{
    switch (unit.manager) {
    case Manager::None:
        return {};
    case Manager::SystemdUser:
    case Manager::SystemdSystem:
        // The unit's ExecStop= is `sluicectl stop`: a systemctl stop is a planned stop.
        return systemctl(unit.manager, actionName(action));
    case Manager::LaunchdAgent:
    case Manager::LaunchdDaemon:
        // Stop and restart: a planned-stop marker first (a bare SIGTERM would be an
        // unexpected signal, which KeepAlive restarts), then the signal through launchd.
        if (action == Action::Start)
            return {QStringLiteral("launchctl"), QStringLiteral("kickstart"),
                    launchdTarget(unit.manager)};
        return {QStringLiteral("launchctl"), QStringLiteral("kill"), QStringLiteral("SIGTERM"),
                launchdTarget(unit.manager)};
    case Manager::WindowsTask:
        // No signals there: the planned-stop marker alone is the stop (and restart) request.
        if (action == Action::Start)
            return {QStringLiteral("schtasks"), QStringLiteral("/Run"), QStringLiteral("/TN"),
                    QString::fromLatin1(WindowsTask)};
        return {};
    }
    return {};
}

QStringList ServiceControl::stateCommand(const Unit &unit)
{
    switch (unit.manager) {
    case Manager::SystemdUser:
    case Manager::SystemdSystem:
        return systemctl(unit.manager, QStringLiteral("is-active"));
    case Manager::LaunchdAgent:
    case Manager::LaunchdDaemon:
        return {QStringLiteral("launchctl"), QStringLiteral("print"), launchdTarget(unit.manager)};
    case Manager::WindowsTask:
        return {QStringLiteral("schtasks"),       QStringLiteral("/Query"), QStringLiteral("/TN"),
                QString::fromLatin1(WindowsTask), QStringLiteral("/FO"),    QStringLiteral("LIST")};
    case Manager::None:
        break;
    }
    return {};
}

QString ServiceControl::findSluiced()
{
#ifdef Q_OS_WIN
    const QString exe = QStringLiteral("sluiced.exe");
#else
    const QString exe = QStringLiteral("sluiced");
#endif
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(exe);
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("sluiced"));
}

QString ServiceControl::toolPath(const QString &name)
{
    if (name == QLatin1String("systemctl")) {
        const QString env = qEnvironmentVariable("SLUICE_SYSTEMCTL");
        if (!env.isEmpty())
            return env == QLatin1String("none") ? QString() : env;
    }
    return QStandardPaths::findExecutable(name);
}

QString ServiceControl::describeFailure(const QStringList &argv, const Outcome &o)
{
    const QString cmd = argv.join(QLatin1Char(' '));
    if (!o.started)
        return QStringLiteral("cannot run %1: the program was not found or could not be started")
            .arg(argv.value(0));
    if (o.timedOut)
        return QStringLiteral("`%1` did not finish in time").arg(cmd);
    const QString first = o.output.section(QLatin1Char('\n'), 0, 0).trimmed();
    QString text = QStringLiteral("`%1` failed (exit code %2)").arg(cmd).arg(o.exitCode);
    if (!first.isEmpty())
        text += QStringLiteral(": ") + first;
    // The usual cause of a failing user unit: no user session bus (a cron job, an ssh session
    // of a user without lingering).
    if (o.output.contains(QLatin1String("Failed to connect to bus")) ||
        o.output.contains(QLatin1String("No medium found")))
        text += QStringLiteral(" (no user session bus: run it from a login session, enable "
                               "lingering with `loginctl enable-linger`, or use a --system unit)");
    return text;
}

void ServiceControl::exec(const QStringList &argv, int timeoutMs, Callback done)
{
    const QString program = toolPath(argv.value(0));
    if (program.isEmpty()) {
        done(Outcome{});
        return;
    }
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(argv.mid(1));
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    auto complete = std::make_shared<bool>(false);
    auto end = [this, done, complete](Outcome o) {
        if (*complete)
            return;
        *complete = true;
        QProcess *p = m_process;
        m_process = nullptr;
        m_timer->deleteLater();
        m_timer = nullptr;
        if (p) {
            p->disconnect(this);
            o.output = QString::fromLocal8Bit(p->readAll()).trimmed();
            if (p->state() != QProcess::NotRunning) {
                p->kill();
                p->waitForFinished(1000);
            }
            p->deleteLater();
        }
        done(o);
    };
    connect(m_timer, &QTimer::timeout, this, [end] {
        Outcome o;
        o.started = true;
        o.timedOut = true;
        end(o);
    });
    connect(m_process, &QProcess::finished, this, [end](int code, QProcess::ExitStatus status) {
        Outcome o;
        o.started = true;
        o.exitCode = status == QProcess::NormalExit ? code : -1;
        end(o);
    });
    connect(m_process, &QProcess::errorOccurred, this, [end](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            end(Outcome{});
    });
    m_timer->start(timeoutMs);
    m_process->start();
}

void ServiceControl::finish(Result result)
{
    Q_EMIT finished(result);
}

bool ServiceControl::writePlannedStop(bool restart, QString *why) const
{
    const HomePaths paths(m_home);
    const RuntimeStatus st = persistedStatus(paths);
    if (!(st.pid > 0 && ProcessIdentity::isSameProcess(st.pid, st.startTime))) {
        *why = QStringLiteral("sluiced is not running for HOME %1").arg(m_home);
        return false;
    }
    QString error;
    if (!PlannedStopMarker(paths.plannedStopMarker())
             .write(st.pid, st.startTime, restart, &error)) {
        *why = QStringLiteral("cannot write the planned-stop marker: %1").arg(error);
        return false;
    }
    return true;
}

void ServiceControl::run(Action action, const Options &options)
{
    Result result;
    result.action = action;
    if (isBusy()) {
        result.message = QStringLiteral("another start, stop or restart is still under way");
        return finish(result);
    }
    const Unit unit = detect(m_home);
    result.via = unit.manager;
    const HomePaths paths(m_home);

    if (action == Action::Start) {
        const RuntimeStatus st = persistedStatus(paths);
        if (serving(st)) {
            result.ok = true;
            result.alreadyRunning = true;
            result.pid = st.pid;
            result.message = QStringLiteral("sluiced is already running (pid %1)").arg(st.pid);
            return finish(result);
        }
        // An explicit start is the operator saying "serve": a drain left from before the last
        // stop would make it come up draining without anyone asking (docs/reference.md §4).
        // A respawn by the service manager never passes here, so it keeps honouring it.
        const DrainMarker marker(paths.drainMarker(), InstantiationEpoch::current());
        if (!options.keepDrain && marker.evaluate().isActive()) {
            const JsonFile content = marker.read();
            result.drain.principal =
                content.isObject() ? content.object.value(QStringLiteral("principal")).toString()
                                   : QString();
            if (result.drain.principal.isEmpty())
                result.drain.principal = QStringLiteral("unknown");
            const QDateTime at = marker.requestedAt();
            result.drain.ageS =
                at.isValid() ? double(at.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0 : -1;
            result.drain.cleared = marker.clear();
        }
    }

    if (!unit.installed()) {
        if (action != Action::Start) {
            result.notApplicable = true;
            result.message = QStringLiteral("no service-manager unit is installed for HOME %1; "
                                            "stop or restart the service itself")
                                 .arg(m_home);
            return finish(result);
        }
        return startDetached(result, options);
    }

    // launchd and Windows take a stop or restart as a planned-stop marker (restart: true for
    // a restart, which the manager then carries out), so the service stops the planned way.
    const bool viaMarker = action != Action::Start && (unit.manager == Manager::LaunchdAgent ||
                                                       unit.manager == Manager::LaunchdDaemon ||
                                                       unit.manager == Manager::WindowsTask);
    if (viaMarker) {
        QString why;
        if (!writePlannedStop(action == Action::Restart, &why)) {
            result.message = why;
            return finish(result);
        }
    }
    const QStringList argv = managerCommand(unit, action);
    result.command = argv;
    if (argv.isEmpty()) { // Windows stop/restart: the marker was the whole request
        result.ok = true;
        result.message =
            QStringLiteral("%1 requested through the planned-stop marker").arg(actionName(action));
        return finish(result);
    }
    QPointer<ServiceControl> self(this);
    exec(argv, options.timeoutMs, [self, result, argv, action](const Outcome &o) mutable {
        if (!self)
            return;
        result.ok = o.started && !o.timedOut && o.exitCode == 0;
        result.message = result.ok ? QStringLiteral("%1 through `%2`")
                                         .arg(pastTense(action), argv.join(QLatin1Char(' ')))
                                   : describeFailure(argv, o);
        self->finish(result);
    });
}

void ServiceControl::startDetached(Result result, const Options &options)
{
    const QString program = findSluiced();
    if (program.isEmpty()) {
        result.message = QStringLiteral("sluiced was found neither beside %1 nor on PATH")
                             .arg(QCoreApplication::applicationName());
        return finish(result);
    }
    QProcess proc;
    proc.setProgram(program);
    proc.setArguments(QStringList{QStringLiteral("--home"), m_home} + options.sluicedArguments);
    // It logs to HOME/logs; a terminal or pipe of ours must not hold it.
    proc.setStandardInputFile(QProcess::nullDevice());
    proc.setStandardOutputFile(QProcess::nullDevice());
    proc.setStandardErrorFile(QProcess::nullDevice());
    qint64 pid = -1;
    if (!proc.startDetached(&pid)) {
        result.message = QStringLiteral("cannot start %1").arg(program);
        return finish(result);
    }
    result.ok = true;
    result.pid = pid;
    result.message = QStringLiteral("started %1 (pid %2)").arg(program).arg(pid);
    finish(result);
}

ServiceControl::Result ServiceControl::runAndWait(Action action, const Options &options)
{
    Result out;
    bool done = false;
    QEventLoop loop;
    const auto c = connect(this, &ServiceControl::finished, &loop, [&](const Result &r) {
        out = r;
        done = true;
        loop.quit();
    });
    run(action, options);
    if (!done)
        loop.exec(); // the command's own timeout ends this
    disconnect(c);
    return out;
}

void ServiceControl::queryState()
{
    const Unit unit = detect(m_home);
    const QStringList argv = stateCommand(unit);
    if (argv.isEmpty() || isBusy()) {
        Q_EMIT stateKnown(QStringLiteral("unknown"));
        return;
    }
    const Manager manager = unit.manager;
    QPointer<ServiceControl> self(this);
    exec(argv, 5000, [self, manager](const Outcome &o) {
        if (!self)
            return;
        QString state = QStringLiteral("unknown");
        if (o.started && !o.timedOut) {
            if (manager == Manager::SystemdUser || manager == Manager::SystemdSystem) {
                // is-active prints the state and exits non-zero for anything but active.
                const QString first = o.output.section(QLatin1Char('\n'), 0, 0).trimmed();
                static const QRegularExpression word(QStringLiteral("^[a-z-]+$"));
                if (word.match(first).hasMatch())
                    state = first;
            } else if (manager == Manager::WindowsTask) {
                static const QRegularExpression status(QStringLiteral("Status:\\s*(\\S+)"));
                const auto m = status.match(o.output);
                if (m.hasMatch())
                    state = m.captured(1).toLower() == QLatin1String("running")
                                ? QStringLiteral("active")
                                : QStringLiteral("inactive");
            } else {
                static const QRegularExpression st(QStringLiteral("\\bstate = (\\S+)"));
                const auto m = st.match(o.output);
                if (o.exitCode != 0)
                    state = QStringLiteral("inactive"); // not loaded
                else if (m.hasMatch())
                    state = m.captured(1) == QLatin1String("running") ? QStringLiteral("active")
                                                                      : QStringLiteral("inactive");
            }
        }
        Q_EMIT self->stateKnown(state);
    });
}

QString ServiceControl::queryStateAndWait(int timeoutMs)
{
    QString out = QStringLiteral("unknown");
    bool done = false;
    QEventLoop loop;
    const auto c = connect(this, &ServiceControl::stateKnown, &loop, [&](const QString &s) {
        out = s;
        done = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs + 1000, &loop, &QEventLoop::quit);
    queryState();
    if (!done)
        loop.exec();
    disconnect(c);
    return out;
}

} // namespace sluice
