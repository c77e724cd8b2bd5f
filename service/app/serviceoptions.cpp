#include "app/serviceoptions.h"

#include "app/servicelogger.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QSettings>

namespace sluice {

namespace {

struct OptionSpec
{
    const char *name;
    const char *valueName; // nullptr: a flag
    const char *help;
};

// Every option that is also a config-file key (same name).
const OptionSpec kSpecs[] = {
    {"home", "DIR", "HOME folder (default: $SLUICE_HOME, else the per-user data folder)."},
    {"agent-command", "CMD",
     "Agent command per turn, split like a shell would "
     "(default: sluice-demo-agent)."},
    {"drain-timeout", "SECONDS",
     "How long a stop waits for running turns (default 30; 0 = "
     "do not wait)."},
    {"interrupt-grace", "SECONDS", "SIGTERM-to-SIGKILL grace for an interrupted turn (default 5)."},
    {"max-concurrent", "N", "Most turns running at once (default 8)."},
    {"http-port", "N", "HTTP port on 127.0.0.1 (default 47470; 0 = any free; -1 = no HTTP)."},
    {"http-address", "ADDR",
     "Address the HTTP API binds to (default 127.0.0.1; another address exposes it)."},
    {"socket", "PATH", "Local socket path (default: derived from HOME)."},
    {"log-level", "LEVEL", "debug, info, warning or error (default info)."},
    {"supervised", nullptr, "Run under a service manager: a restart exits 75."},
    {"no-handoff", nullptr,
     "Restart the classic way (drain, exit, then the successor listens) instead of handing "
     "the sockets to a successor that serves at once."},
    {"drain-marker-ttl", "SECONDS",
     "Drain markers older than this are ignored and removed "
     "(default 3600; 0 = never)."},
    {"lock-wait", "SECONDS", "How long to wait for a predecessor's lock (default 5)."},
    {"log-max-bytes", "BYTES", "Size of logs/sluiced.log before it is rotated (default 5 MiB)."},
    {"log-keep", "N", "Rotated log files kept (default 3)."},
    {"ipc-max-pending", "BYTES",
     "Unread output a local-socket client may leave before it is dropped (default 8 MiB)."},
    {"ipc-max-connections", "N",
     "Local-socket connections at once; then the least recently active one is closed "
     "(default 256)."},
    {"ipc-idle-timeout", "SECONDS",
     "A local-socket client that sends nothing for this long is closed; subscribers are not "
     "(default 300)."},
    {"ipc-stall-timeout", "SECONDS",
     "A local-socket frame received only in part is dropped after this (default 10)."},
    {"http-idle-timeout", "SECONDS",
     "An idle keep-alive HTTP connection is closed after this (default 10)."},
    {"http-request-timeout", "SECONDS",
     "An HTTP request must arrive complete within this (default 30)."},
    {"containment", "MODE",
     "How turns are contained: auto (default), cgroup, process-group, job-object."},
    {"turn-memory-max", "BYTES", "Memory limit per turn, e.g. 512M or 2G (cgroup; default none)."},
    {"turn-pids-max", "N", "Most processes per turn (cgroup; default none)."},
    {"turn-cpu-max", "CPUS", "CPU limit per turn in CPUs, e.g. 0.5 or 2 (cgroup; default none)."},
};

// "512M", "2G", "65536" -> bytes (binary multiples). False for anything else.
bool parseBytes(const QString &text, qint64 *out)
{
    QString t = text.trimmed().toUpper();
    if (t.endsWith(QLatin1Char('B')))
        t.chop(1);
    qint64 factor = 1;
    if (t.endsWith(QLatin1Char('K')) || t.endsWith(QLatin1Char('M')) ||
        t.endsWith(QLatin1Char('G')) || t.endsWith(QLatin1Char('T'))) {
        const int power = int(QStringLiteral("KMGT").indexOf(t.back())) + 1;
        for (int i = 0; i < power; ++i)
            factor *= 1024;
        t.chop(1);
    }
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok || !(v > 0) || v * double(factor) > 9e18)
        return false;
    *out = qint64(v * double(factor));
    return true;
}

// Values are collected from the file first, then the command line overrides them.
using Values = QHash<QString, QString>;

bool parseNumber(const QString &key, const QString &text, double min, double max, double *out,
                 QString *error)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !(v >= min && v <= max)) {
        *error = QStringLiteral("invalid value for %1: '%2' (expected a number from %3 to %4)")
                     .arg(key, text)
                     .arg(min)
                     .arg(max);
        return false;
    }
    *out = v;
    return true;
}

bool parseInt(const QString &key, const QString &text, qint64 min, qint64 max, qint64 *out,
              QString *error)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("invalid value for %1: '%2' (expected an integer from %3 to %4)")
                     .arg(key, text)
                     .arg(min)
                     .arg(max);
        return false;
    }
    *out = v;
    return true;
}

bool parseBool(const QString &key, const QString &text, bool *out, QString *error)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes") ||
        t == QLatin1String("on")) {
        *out = true;
        return true;
    }
    if (t == QLatin1String("false") || t == QLatin1String("0") || t == QLatin1String("no") ||
        t == QLatin1String("off")) {
        *out = false;
        return true;
    }
    *error = QStringLiteral("invalid value for %1: '%2' (expected true or false)").arg(key, text);
    return false;
}

bool readConfig(const QString &file, Values *values, QString *error)
{
    QSettings settings(file, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot parse config file %1").arg(file);
        return false;
    }
    const QStringList allowed = ServiceOptions::configKeys();
    const QStringList keys = settings.allKeys();
    for (const QString &rawKey : keys) {
        // Keys may sit at the top level or in a [sluiced] / [General] section.
        QString key = rawKey;
        if (key.startsWith(QLatin1String("sluiced/")))
            key = key.mid(8);
        if (!allowed.contains(key)) {
            *error = QStringLiteral("unknown key '%1' in config file %2").arg(rawKey, file);
            return false;
        }
        const QVariant v = settings.value(rawKey);
        // QSettings splits unquoted values at commas; join them back.
        values->insert(key, v.typeId() == QMetaType::QStringList
                                ? v.toStringList().join(QLatin1String(", "))
                                : v.toString());
    }
    return true;
}

} // namespace

bool ServiceOptions::splitShellWords(const QString &command, QStringList *words, QString *error)
{
    words->clear();
    QString current;
    bool inWord = false;
    enum { Plain, Single, Double } mode = Plain;
    for (qsizetype i = 0; i < command.size(); ++i) {
        const QChar c = command.at(i);
        switch (mode) {
        case Plain:
            if (c.isSpace()) {
                if (inWord)
                    words->append(current);
                current.clear();
                inWord = false;
            } else if (c == QLatin1Char('\\')) {
                inWord = true;
                if (i + 1 < command.size())
                    current += command.at(++i);
            } else if (c == QLatin1Char('\'')) {
                inWord = true;
                mode = Single;
            } else if (c == QLatin1Char('"')) {
                inWord = true;
                mode = Double;
            } else {
                inWord = true;
                current += c;
            }
            break;
        case Single:
            if (c == QLatin1Char('\''))
                mode = Plain;
            else
                current += c;
            break;
        case Double:
            if (c == QLatin1Char('"')) {
                mode = Plain;
            } else if (c == QLatin1Char('\\') && i + 1 < command.size() &&
                       QStringLiteral("\"\\$`").contains(command.at(i + 1))) {
                current += command.at(++i);
            } else {
                current += c;
            }
            break;
        }
    }
    if (mode != Plain) {
        *error = QStringLiteral("unterminated %1 quote")
                     .arg(mode == Single ? QStringLiteral("single") : QStringLiteral("double"));
        return false;
    }
    if (inWord)
        words->append(current);
    return true;
}

QStringList ServiceOptions::configKeys()
{
    QStringList keys;
    for (const OptionSpec &s : kSpecs)
        keys << QString::fromLatin1(s.name);
    return keys;
}

ServiceOptions::ParseResult ServiceOptions::parse(const QStringList &arguments, ServiceOptions *out)
{
    ParseResult result;
    auto usage = [&](const QString &message) {
        result.outcome = Outcome::UsageError;
        result.message = message;
        return result;
    };

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("sluiced: the Sluice agent gateway service (version %1)")
            .arg(QLatin1String(SLUICE_VERSION)));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("Config file (INI; default "
                                                         "HOME/sluiced.conf)."),
                                          QStringLiteral("FILE"));
    parser.addOption(configOption);
    for (const OptionSpec &s : kSpecs) {
        if (s.valueName)
            parser.addOption(QCommandLineOption(QString::fromLatin1(s.name),
                                                QString::fromLatin1(s.help),
                                                QString::fromLatin1(s.valueName)));
        else
            parser.addOption(
                QCommandLineOption(QString::fromLatin1(s.name), QString::fromLatin1(s.help)));
    }

    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(helpOption)) {
        result.outcome = Outcome::ExitOk;
        result.message = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.outcome = Outcome::ExitOk;
        result.message = QStringLiteral("sluiced %1\n").arg(QLatin1String(SLUICE_VERSION));
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument '%1'")
                         .arg(parser.positionalArguments().constFirst()));
    for (const OptionSpec &s : kSpecs) {
        if (s.valueName && parser.values(QString::fromLatin1(s.name)).size() > 1)
            return usage(
                QStringLiteral("option --%1 given more than once").arg(QLatin1String(s.name)));
    }

    ServiceOptions o;
    o.arguments = arguments;

    // HOME first (the default config file lives there); the config file may not move HOME
    // unless it was named explicitly with --config.
    Values values;
    QString error;
    if (parser.isSet(configOption)) {
        const QString file = parser.value(configOption);
        if (!QFileInfo(file).isFile())
            return usage(QStringLiteral("config file not found: %1").arg(file));
        if (!readConfig(file, &values, &error))
            return usage(error);
        o.configFile = QFileInfo(file).absoluteFilePath();
    } else {
        const QString home = HomePaths::resolveHome(parser.value(QStringLiteral("home")));
        const QString file = HomePaths(home).configFile();
        if (QFileInfo(file).isFile()) {
            if (!readConfig(file, &values, &error))
                return usage(error);
            if (values.contains(QStringLiteral("home")))
                return usage(QStringLiteral("key 'home' is only allowed in a file named by "
                                            "--config (%1)")
                                 .arg(file));
            o.configFile = file;
        }
    }
    for (const OptionSpec &s : kSpecs) {
        const QString name = QString::fromLatin1(s.name);
        if (parser.isSet(name))
            values.insert(name, s.valueName ? parser.value(name) : QStringLiteral("true"));
    }

    o.home = HomePaths::resolveHome(values.value(QStringLiteral("home")));
    if (o.home.isEmpty())
        return usage(QStringLiteral("cannot determine the HOME folder; pass --home DIR"));

    const QString agent =
        values.value(QStringLiteral("agent-command"), QStringLiteral("sluice-demo-agent"));
    if (!splitShellWords(agent, &o.agentCommand, &error))
        return usage(QStringLiteral("invalid value for agent-command: %1").arg(error));
    if (o.agentCommand.isEmpty())
        return usage(QStringLiteral("invalid value for agent-command: empty command"));

    double d = 0;
    qint64 n = 0;
    if (values.contains(QStringLiteral("drain-timeout"))) {
        if (!parseNumber(QStringLiteral("drain-timeout"),
                         values.value(QStringLiteral("drain-timeout")), 0, 7 * 86400, &d, &error))
            return usage(error);
        o.drainTimeoutS = d;
    }
    if (values.contains(QStringLiteral("interrupt-grace"))) {
        if (!parseNumber(QStringLiteral("interrupt-grace"),
                         values.value(QStringLiteral("interrupt-grace")), 0, 3600, &d, &error))
            return usage(error);
        o.interruptGraceS = d;
    }
    if (values.contains(QStringLiteral("max-concurrent"))) {
        if (!parseInt(QStringLiteral("max-concurrent"),
                      values.value(QStringLiteral("max-concurrent")), 1, 10000, &n, &error))
            return usage(error);
        o.maxConcurrent = int(n);
    }
    if (values.contains(QStringLiteral("http-port"))) {
        if (!parseInt(QStringLiteral("http-port"), values.value(QStringLiteral("http-port")), -1,
                      65535, &n, &error))
            return usage(error);
        o.httpPort = int(n);
    }
    if (values.contains(QStringLiteral("http-address"))) {
        o.httpAddress = values.value(QStringLiteral("http-address")).trimmed();
        if (QHostAddress(o.httpAddress).isNull())
            return usage(QStringLiteral("invalid value for http-address: '%1' (expected an IP "
                                        "address)")
                             .arg(o.httpAddress));
    }
    if (values.contains(QStringLiteral("socket"))) {
        o.socketPath = values.value(QStringLiteral("socket"));
        if (o.socketPath.isEmpty())
            return usage(QStringLiteral("invalid value for socket: empty path"));
#ifdef Q_OS_UNIX
        o.socketPath = QFileInfo(o.socketPath).absoluteFilePath();
        if (o.socketPath.toUtf8().size() >= 100)
            return usage(QStringLiteral("invalid value for socket: path longer than 99 bytes"));
#endif
    }
    if (values.contains(QStringLiteral("log-level"))) {
        o.logLevel = values.value(QStringLiteral("log-level")).trimmed().toLower();
        if (!ServiceLogger::isValidLevel(o.logLevel))
            return usage(QStringLiteral("invalid value for log-level: '%1' (expected debug, "
                                        "info, warning or error)")
                             .arg(values.value(QStringLiteral("log-level"))));
    }
    if (values.contains(QStringLiteral("supervised"))) {
        if (!parseBool(QStringLiteral("supervised"), values.value(QStringLiteral("supervised")),
                       &o.supervised, &error))
            return usage(error);
    }
    if (values.contains(QStringLiteral("no-handoff"))) {
        if (!parseBool(QStringLiteral("no-handoff"), values.value(QStringLiteral("no-handoff")),
                       &o.noHandoff, &error))
            return usage(error);
    }
    if (values.contains(QStringLiteral("drain-marker-ttl"))) {
        if (!parseInt(QStringLiteral("drain-marker-ttl"),
                      values.value(QStringLiteral("drain-marker-ttl")), 0,
                      qint64(100) * 365 * 86400, &n, &error))
            return usage(error);
        o.drainMarkerTtlS = n;
    }
    if (values.contains(QStringLiteral("lock-wait"))) {
        if (!parseNumber(QStringLiteral("lock-wait"), values.value(QStringLiteral("lock-wait")), 0,
                         3600, &d, &error))
            return usage(error);
        o.lockWaitS = d;
    }
    if (values.contains(QStringLiteral("log-max-bytes"))) {
        if (!parseInt(QStringLiteral("log-max-bytes"),
                      values.value(QStringLiteral("log-max-bytes")), 4096, qint64(1) << 40, &n,
                      &error))
            return usage(error);
        o.logMaxBytes = n;
    }
    if (values.contains(QStringLiteral("log-keep"))) {
        if (!parseInt(QStringLiteral("log-keep"), values.value(QStringLiteral("log-keep")), 0, 100,
                      &n, &error))
            return usage(error);
        o.logKeep = int(n);
    }
    if (values.contains(QStringLiteral("ipc-max-pending"))) {
        if (!parseInt(QStringLiteral("ipc-max-pending"),
                      values.value(QStringLiteral("ipc-max-pending")), 4096, qint64(1) << 32, &n,
                      &error))
            return usage(error);
        o.ipcMaxPendingBytes = n;
    }
    if (values.contains(QStringLiteral("ipc-max-connections"))) {
        if (!parseInt(QStringLiteral("ipc-max-connections"),
                      values.value(QStringLiteral("ipc-max-connections")), 4, 100000, &n, &error))
            return usage(error);
        o.ipcMaxConnections = int(n);
    }
    const struct
    {
        const char *key;
        double *target;
    } timeouts[] = {
        {"ipc-stall-timeout", &o.ipcStallTimeoutS},
        {"ipc-idle-timeout", &o.ipcIdleTimeoutS},
        {"http-idle-timeout", &o.httpIdleTimeoutS},
        {"http-request-timeout", &o.httpRequestTimeoutS},
    };
    if (values.contains(QStringLiteral("containment"))) {
        o.containment = values.value(QStringLiteral("containment")).trimmed();
        const QStringList modes{QStringLiteral("auto"), QStringLiteral("cgroup"),
                                QStringLiteral("process-group"), QStringLiteral("job-object")};
        if (!modes.contains(o.containment))
            return usage(QStringLiteral("invalid value for containment: '%1' (expected auto, "
                                        "cgroup, process-group or job-object)")
                             .arg(o.containment));
    }
    if (values.contains(QStringLiteral("turn-memory-max")) &&
        (!parseBytes(values.value(QStringLiteral("turn-memory-max")), &o.turnMemoryMaxBytes) ||
         o.turnMemoryMaxBytes < 1024 * 1024))
        return usage(QStringLiteral("invalid value for turn-memory-max: '%1' (expected a size of "
                                    "at least 1M, e.g. 512M or 2G)")
                         .arg(values.value(QStringLiteral("turn-memory-max"))));
    if (values.contains(QStringLiteral("turn-pids-max"))) {
        if (!parseInt(QStringLiteral("turn-pids-max"),
                      values.value(QStringLiteral("turn-pids-max")), 1, 4194304, &n, &error))
            return usage(error);
        o.turnPidsMax = n;
    }
    if (values.contains(QStringLiteral("turn-cpu-max"))) {
        if (!parseNumber(QStringLiteral("turn-cpu-max"),
                         values.value(QStringLiteral("turn-cpu-max")), 0.01, 4096, &d, &error))
            return usage(error);
        o.turnCpuMax = d;
    }
    for (const auto &t : timeouts) {
        const QString key = QLatin1String(t.key);
        if (!values.contains(key))
            continue;
        if (!parseNumber(key, values.value(key), 0.1, 3600, &d, &error))
            return usage(error);
        *t.target = d;
    }

    *out = o;
    return result;
}

} // namespace sluice
