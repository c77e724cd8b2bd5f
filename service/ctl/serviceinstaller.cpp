#include "ctl/serviceinstaller.h"

#include "supervisor/stopbudget.h"

#include "sluice/atomicjson.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

#include <cmath>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace sluice::ctl {

namespace {
QString readText(const QString &path, bool *exists)
{
    QFile f(path);
    *exists = f.exists();
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString exeName(const QString &base)
{
#ifdef Q_OS_WIN
    return base + QStringLiteral(".exe");
#else
    return base;
#endif
}

QJsonArray commandsJson(const QVector<QStringList> &commands)
{
    QJsonArray a;
    for (const QStringList &argv : commands)
        a.append(QJsonArray::fromStringList(argv));
    return a;
}

// `systemctl --user` reaches the user's service manager over the user bus, which exists only
// while the user has a login session (not under su, sudo, cron, ssh without PAM, containers)
// or lingering; systemctl then says "Failed to connect to bus: No medium found" or names
// $XDG_RUNTIME_DIR.
bool userBusMissing(const QString &systemctlOutput)
{
    return systemctlOutput.contains(QLatin1String("Failed to connect to bus")) ||
           systemctlOutput.contains(QLatin1String("No medium found")) ||
           systemctlOutput.contains(QLatin1String("XDG_RUNTIME_DIR"));
}

QString userBusHint(const QString &path, const QString &systemctlOutput)
{
    QString user = qEnvironmentVariable("USER");
    QString uid = QStringLiteral("$(id -u)");
#ifdef Q_OS_UNIX
    if (const passwd *pw = ::getpwuid(::getuid()))
        user = QString::fromLocal8Bit(pw->pw_name);
    uid = QString::number(::getuid());
#endif
    return QStringLiteral(
               "wrote %1, but there is no user service manager to register it with "
               "(systemctl --user: %2).\n"
               "A user unit needs a login session of %3. Either:\n"
               "  - log in as %3 (a real login, not su or sudo) and run `sluicectl service "
               "install` again;\n"
               "  - or keep %3's service manager running without a session: `sudo loginctl "
               "enable-linger %3`, then `XDG_RUNTIME_DIR=/run/user/%4 sluicectl service "
               "install`;\n"
               "  - or run the gateway under the system manager: `sudo sluicectl service "
               "install --system`.")
        .arg(path, systemctlOutput, user, uid);
}

QString commandsText(const QVector<QStringList> &commands)
{
    QStringList lines;
    for (const QStringList &argv : commands)
        lines << QStringLiteral("  ") + argv.join(QLatin1Char(' '));
    return lines.join(QLatin1Char('\n'));
}
} // namespace

ServiceInstaller::ServiceInstaller(CtlContext &context)
    : m_c(context)
{}

bool ServiceInstaller::resolve(int *exitCode)
{
    auto usage = [&](const QString &message) {
        *exitCode = m_c.out->fail(Exit::Usage, QStringLiteral("usage"), message);
        return false;
    };
    if (m_c.isSet("platform")) {
        const auto p = UnitGenerator::platformFromName(m_c.value("platform"));
        if (!p)
            return usage(QStringLiteral("--platform must be systemd, launchd or windows"));
        m_config.platform = *p;
    }
    m_config.system = m_c.isSet("system");
    // A system unit with no HOME named runs as the dedicated user in its state folder.
    const bool dedicatedUser = m_config.system &&
                               m_config.platform == UnitGenerator::Platform::Systemd &&
                               !m_c.isSet("home") && qEnvironmentVariableIsEmpty("SLUICE_HOME");
    if (dedicatedUser)
        m_c.paths = HomePaths::fromOption(UnitGenerator::systemHome());
    m_config.home = QDir::cleanPath(QDir(m_c.paths.home()).absolutePath());
    m_config.sluicectl = QFileInfo(QCoreApplication::applicationFilePath()).absoluteFilePath();
    QString sluiced =
        QDir(QCoreApplication::applicationDirPath()).filePath(exeName(QStringLiteral("sluiced")));
    if (!QFileInfo(sluiced).isExecutable())
        sluiced = QStandardPaths::findExecutable(QStringLiteral("sluiced"));
    if (sluiced.isEmpty())
        sluiced = QDir(QCoreApplication::applicationDirPath())
                      .filePath(exeName(QStringLiteral("sluiced")));
    m_config.sluiced = QFileInfo(sluiced).absoluteFilePath();
    if (dedicatedUser) {
        m_config.runAsUser = QString::fromLatin1(UnitGenerator::SystemUser);
        m_config.stateDirectory = QString::fromLatin1(UnitGenerator::SystemUser);
    } else if (m_config.system && m_config.platform == UnitGenerator::Platform::Systemd) {
        const QString owner = QFileInfo(m_config.home).owner();
        if (!owner.isEmpty() && owner != QLatin1String("root"))
            m_config.runAsUser = owner;
    }

    // Budget: options > the installed definition > HOME's config file > defaults.
    QSettings ini(m_c.paths.configFile(), QSettings::IniFormat);
    // Socket activation: asked for, or kept when a sluiced.socket of ours is installed.
    m_config.socketActivation = m_config.platform == UnitGenerator::Platform::Systemd &&
                                (m_c.isSet("socket-activation") ||
                                 QFileInfo::exists(UnitGenerator::socketDefinitionPath(m_config)));
    if (m_c.isSet("socket-activation") && !m_config.socketActivation)
        return usage(QStringLiteral("--socket-activation needs systemd"));
    if (m_config.socketActivation) {
        m_config.socketPath = m_c.paths.defaultSocketPath();
        const int port = ini.value(QStringLiteral("http-port"), 47470).toInt();
        const QString address =
            ini.value(QStringLiteral("http-address"), QStringLiteral("127.0.0.1")).toString();
        if (port > 0)
            m_config.httpListen = QStringLiteral("%1:%2").arg(address).arg(port);
    }
    auto fromIni = [&](const char *key, qint64 fallback) {
        for (const QString &k :
             {QString::fromLatin1(key), QStringLiteral("sluiced/") + QLatin1String(key)}) {
            bool ok = false;
            // Rounded up, as sluiced does for its own alignment check: 2.5 s needs 3 s.
            const double v = ini.value(k).toDouble(&ok);
            if (ok && v >= 0)
                return qint64(std::ceil(v));
        }
        return fallback;
    };
    m_config.drainTimeoutS = fromIni("drain-timeout", 30);
    m_config.interruptGraceS = fromIni("interrupt-grace", 5);
    bool exists = false;
    const QString installed = readText(UnitGenerator::definitionPath(m_config), &exists);
    if (exists)
        UnitGenerator::timeoutsFromDefinition(installed, &m_config.drainTimeoutS,
                                              &m_config.interruptGraceS, &m_config.passTimeouts);
    bool bad = false;
    if (m_c.isSet("drain-timeout")) {
        m_config.drainTimeoutS = qint64(m_c.seconds("drain-timeout", 30, &bad));
        m_config.passTimeouts = true;
    }
    if (m_c.isSet("interrupt-grace")) {
        m_config.interruptGraceS = qint64(m_c.seconds("interrupt-grace", 5, &bad));
        m_config.passTimeouts = true;
    }
    if (bad)
        return usage(QStringLiteral("--drain-timeout / --interrupt-grace need whole seconds"));
    return true;
}

QStringList ServiceInstaller::lineDiff(const QString &installed, const QString &generated, int max)
{
    const QStringList a = installed.split(QLatin1Char('\n'));
    const QStringList b = generated.split(QLatin1Char('\n'));
    QStringList out;
    for (const QString &l : a)
        if (!b.contains(l) && out.size() < max)
            out << QStringLiteral("- ") + l;
    for (const QString &l : b)
        if (!a.contains(l) && out.size() < max)
            out << QStringLiteral("+ ") + l;
    return out;
}

ServiceInstaller::Check ServiceInstaller::check() const
{
    Check r;
    r.path = UnitGenerator::definitionPath(m_config);
    r.budgetS = StopBudget::seconds(m_config.drainTimeoutS, m_config.interruptGraceS);
    bool exists = false;
    const QString installed = readText(r.path, &exists);
    r.installed = exists;
    if (!exists)
        return r;
    const QString generated = UnitGenerator::generate(m_config);
    r.drift = installed != generated;
    if (r.drift)
        r.differences = lineDiff(installed, generated);
    static const QRegularExpression timeoutRe(QStringLiteral("^TimeoutStopSec=(.+)$"),
                                              QRegularExpression::MultilineOption);
    const auto m = timeoutRe.match(installed);
    if (m.hasMatch()) {
        bool ok = false;
        const qint64 s = m.captured(1).trimmed().toLongLong(&ok);
        r.installedTimeoutStopS = ok ? s : -1;
    }
    return r;
}

QString ServiceInstaller::toolFor(const QString &name) const
{
    if (name == QLatin1String("systemctl")) {
        const QString env = qEnvironmentVariable("SLUICE_SYSTEMCTL");
        if (!env.isEmpty())
            return env == QLatin1String("none") ? QString() : env;
    }
    return QStandardPaths::findExecutable(name);
}

bool ServiceInstaller::run(const QStringList &argv, QString *output, bool *skipped) const
{
    *skipped = false;
    const QString program = toolFor(argv.value(0));
    if (program.isEmpty()) {
        *skipped = true;
        *output = QStringLiteral("%1 not found; skipped").arg(argv.value(0));
        return true;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, argv.mid(1));
    if (!p.waitForStarted(10000)) {
        *output = p.errorString();
        return false;
    }
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(2000);
        *output = QStringLiteral("%1 did not finish within 60 s").arg(argv.join(QLatin1Char(' ')));
        return false;
    }
    *output = QString::fromLocal8Bit(p.readAll()).trimmed();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

int ServiceInstaller::install()
{
    const QString path = UnitGenerator::definitionPath(m_config);
    const QString content = UnitGenerator::generate(m_config);
    const QVector<QStringList> commands = UnitGenerator::installCommands(m_config, path);
    const Check before = check();
    QJsonObject fields{{QStringLiteral("platform"), UnitGenerator::platformName(m_config.platform)},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("system"), m_config.system},
                       {QStringLiteral("stop_budget_s"), before.budgetS},
                       {QStringLiteral("drift"), before.drift}};
    const QString socketPath = UnitGenerator::socketDefinitionPath(m_config);
    const QString socketContent =
        m_config.socketActivation ? UnitGenerator::systemdSocket(m_config) : QString();
    if (m_config.socketActivation)
        fields.insert(QStringLiteral("socket_path"), socketPath);
    if (m_c.isSet("dry-run")) {
        fields.insert(QStringLiteral("dry_run"), true);
        fields.insert(QStringLiteral("content"), content);
        fields.insert(QStringLiteral("commands"), commandsJson(commands));
        QString text = QStringLiteral("Would write %1:\n\n%2\n").arg(path, content);
        if (m_config.socketActivation) {
            fields.insert(QStringLiteral("socket_content"), socketContent);
            text += QStringLiteral("Would write %1:\n\n%2\n").arg(socketPath, socketContent);
        }
        return m_c.out->result(fields,
                               text + QStringLiteral("Would run:\n%1").arg(commandsText(commands)));
    }
    if (before.drift && !m_c.isSet("force"))
        return m_c.out->fail(
            Exit::Failed, QStringLiteral("drift"),
            QStringLiteral("%1 differs from the generated definition (drift):\n%2\n"
                           "Re-run with --force to replace it.")
                .arg(path, before.differences.join(QLatin1Char('\n'))),
            fields);
    // WorkingDirectory= must exist when the manager starts the service; a StateDirectory= is
    // created by systemd itself, owned by the user the service runs as.
    QString homeError;
    if (m_config.stateDirectory.isEmpty() && !m_c.paths.ensureHome(&homeError))
        return m_c.out->fail(
            Exit::Failed, QStringLiteral("write_failed"),
            QStringLiteral("cannot create HOME %1: %2").arg(m_c.paths.home(), homeError), fields);
    QStringList notes;
    const RuntimeStatus running = ServiceLink(m_c.paths).persistedStatus();
    if (ServiceLink::processAlive(running)) {
        notes << QStringLiteral("note: sluiced already runs for this HOME (pid %1); if the service "
                                "manager did not start it, stop it first (`sluicectl stop`) so the "
                                "manager's instance can take the lock")
                     .arg(running.pid);
        fields.insert(QStringLiteral("running_pid"), running.pid);
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return m_c.out->fail(Exit::Failed, QStringLiteral("write_failed"),
                             QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath()),
                             fields);
    QString error;
    if (!before.installed || before.drift) {
        if (!writeFileAtomically(path, content.toUtf8(), &error))
            return m_c.out->fail(Exit::Failed, QStringLiteral("write_failed"),
                                 QStringLiteral("cannot write %1: %2").arg(path, error), fields);
    }
    bool socketExists = false;
    if (m_config.socketActivation && readText(socketPath, &socketExists) != socketContent &&
        !writeFileAtomically(socketPath, socketContent.toUtf8(), &error))
        return m_c.out->fail(Exit::Failed, QStringLiteral("write_failed"),
                             QStringLiteral("cannot write %1: %2").arg(socketPath, error), fields);
    fields.insert(QStringLiteral("written"), !before.installed || before.drift);
    QJsonArray ran;
    for (const QStringList &argv : commands) {
        QString output;
        bool skipped = false;
        const bool ok = run(argv, &output, &skipped);
        ran.append(QJsonObject{{QStringLiteral("command"), QJsonArray::fromStringList(argv)},
                               {QStringLiteral("ok"), ok},
                               {QStringLiteral("skipped"), skipped},
                               {QStringLiteral("output"), output}});
        if (skipped) {
            notes << QStringLiteral("%1: register it yourself with: %2")
                         .arg(output, commandsText(commands).trimmed());
            break;
        }
        if (!ok) {
            fields.insert(QStringLiteral("commands"), ran);
            if (!m_config.system && m_config.platform == UnitGenerator::Platform::Systemd &&
                userBusMissing(output))
                return m_c.out->fail(Exit::Failed, QStringLiteral("no_user_bus"),
                                     userBusHint(path, output), fields);
            return m_c.out->fail(Exit::Failed, QStringLiteral("register_failed"),
                                 QStringLiteral("wrote %1, but `%2` failed: %3")
                                     .arg(path, argv.join(QLatin1Char(' ')), output),
                                 fields);
        }
    }
    fields.insert(QStringLiteral("commands"), ran);
    QString text = before.installed && !before.drift
                       ? QStringLiteral("%1 is already up to date").arg(path)
                       : QStringLiteral("wrote %1").arg(path);
    if (m_config.socketActivation)
        text += QStringLiteral(" and %1").arg(socketPath);
    text += QStringLiteral(" (stop budget %1 s)").arg(before.budgetS);
    if (!notes.isEmpty())
        text += QLatin1Char('\n') + notes.join(QLatin1Char('\n'));
    return m_c.out->result(fields, text);
}

int ServiceInstaller::uninstall()
{
    const QString path = UnitGenerator::definitionPath(m_config);
    QVector<QStringList> commands = UnitGenerator::uninstallCommands(m_config, path);
    if (m_config.platform == UnitGenerator::Platform::Systemd) {
        QStringList reload{QStringLiteral("systemctl")};
        if (!m_config.system)
            reload << QStringLiteral("--user");
        reload << QStringLiteral("daemon-reload");
        commands << reload;
    }
    QJsonObject fields{{QStringLiteral("platform"), UnitGenerator::platformName(m_config.platform)},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("installed"), QFileInfo::exists(path)}};
    if (m_c.isSet("dry-run")) {
        fields.insert(QStringLiteral("dry_run"), true);
        fields.insert(QStringLiteral("commands"), commandsJson(commands));
        return m_c.out->result(
            fields,
            QStringLiteral("Would run:\n%1\nWould remove %2").arg(commandsText(commands), path));
    }
    if (!QFileInfo::exists(path))
        return m_c.out->result(fields, QStringLiteral("nothing installed at %1").arg(path));
    QJsonArray ran;
    QStringList warnings;
    for (int i = 0; i < commands.size(); ++i) {
        const QStringList &argv = commands[i];
        if (i == commands.size() - 1 && m_config.platform == UnitGenerator::Platform::Systemd) {
            if (!QFile::remove(path))
                return m_c.out->fail(Exit::Failed, QStringLiteral("remove_failed"),
                                     QStringLiteral("cannot remove %1").arg(path), fields);
        }
        QString output;
        bool skipped = false;
        const bool ok = run(argv, &output, &skipped);
        ran.append(QJsonObject{{QStringLiteral("command"), QJsonArray::fromStringList(argv)},
                               {QStringLiteral("ok"), ok},
                               {QStringLiteral("skipped"), skipped},
                               {QStringLiteral("output"), output}});
        // Unregistering something that is not loaded is not a reason to keep the file.
        if (!ok)
            warnings << QStringLiteral("`%1` failed: %2").arg(argv.join(QLatin1Char(' ')), output);
    }
    if (QFileInfo::exists(path) && !QFile::remove(path))
        return m_c.out->fail(Exit::Failed, QStringLiteral("remove_failed"),
                             QStringLiteral("cannot remove %1").arg(path), fields);
    const QString socketPath = UnitGenerator::socketDefinitionPath(m_config);
    if (m_config.socketActivation && QFileInfo::exists(socketPath) && !QFile::remove(socketPath))
        return m_c.out->fail(Exit::Failed, QStringLiteral("remove_failed"),
                             QStringLiteral("cannot remove %1").arg(socketPath), fields);
    fields.insert(QStringLiteral("removed"), true);
    fields.insert(QStringLiteral("commands"), ran);
    QString text = QStringLiteral("removed %1").arg(path);
    if (!warnings.isEmpty())
        text += QLatin1Char('\n') + warnings.join(QLatin1Char('\n'));
    return m_c.out->result(fields, text);
}

int ServiceInstaller::status()
{
    const Check r = check();
    QJsonObject fields{{QStringLiteral("platform"), UnitGenerator::platformName(m_config.platform)},
                       {QStringLiteral("path"), r.path},
                       {QStringLiteral("installed"), r.installed},
                       {QStringLiteral("drift"), r.drift},
                       {QStringLiteral("stop_budget_s"), r.budgetS}};
    if (r.drift)
        fields.insert(QStringLiteral("differences"), QJsonArray::fromStringList(r.differences));
    QStringList lines;
    lines << QStringLiteral("platform:   %1%2")
                 .arg(UnitGenerator::platformName(m_config.platform),
                      m_config.system ? QStringLiteral(" (system)") : QStringLiteral(" (user)"));
    lines << QStringLiteral("definition: %1 (%2)")
                 .arg(r.path, !r.installed ? QStringLiteral("not installed")
                              : r.drift    ? QStringLiteral("DRIFT: differs from the "
                                                               "generated one")
                                           : QStringLiteral("up to date"));
    if (r.drift)
        lines << r.differences;
    if (r.installed && m_config.platform == UnitGenerator::Platform::Systemd) {
        QStringList argv{QStringLiteral("systemctl")};
        if (!m_config.system)
            argv << QStringLiteral("--user");
        argv << QStringLiteral("is-active") << QString::fromLatin1(UnitGenerator::SystemdUnitName);
        QString output;
        bool skipped = false;
        run(argv, &output, &skipped);
        if (!skipped) {
            fields.insert(QStringLiteral("active_state"), output);
            lines << QStringLiteral("active:     %1").arg(output);
        }
    }
    if (r.drift)
        return m_c.out->fail(Exit::Failed, QStringLiteral("drift"), lines.join(QLatin1Char('\n')),
                             fields);
    return m_c.out->result(fields, lines.join(QLatin1Char('\n')));
}

int serviceCommand(CtlContext &c)
{
    const QString sub = c.args.value(0);
    if (c.args.size() != 1 || (sub != QLatin1String("install") &&
                               sub != QLatin1String("uninstall") && sub != QLatin1String("status")))
        return c.out->fail(Exit::Usage, QStringLiteral("usage"),
                           QStringLiteral("service needs install, uninstall or status"));
    ServiceInstaller installer(c);
    int code = 0;
    if (!installer.resolve(&code))
        return code;
    if (sub == QLatin1String("install"))
        return installer.install();
    if (sub == QLatin1String("uninstall"))
        return installer.uninstall();
    return installer.status();
}

} // namespace sluice::ctl
