#include "supervisor/supervisoralignment.h"

#include "supervisor/stopbudget.h"
#include "supervisor/supervisorlog.h"

#include <QFile>
#include <QTimer>

#include "sluice/timespan.h"

namespace sluice {

namespace {
QJsonObject baseResult(const QString &manager, bool checked)
{
    return QJsonObject{{QStringLiteral("manager"), manager},
                       {QStringLiteral("checked"), checked},
                       {QStringLiteral("aligned"), true}};
}

QString formatSeconds(qint64 us)
{
    return QString::number(double(us) / 1e6, 'g', 12) + QLatin1Char('s');
}
} // namespace

SupervisorAlignment::SupervisorAlignment(double drainTimeoutS, double interruptGraceS,
                                         QObject *parent)
    : QObject(parent)
    , m_requiredUs(StopBudget::microseconds(drainTimeoutS, interruptGraceS))
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        qCWarning(lcSupervisor).noquote()
            << QStringLiteral("systemctl show did not answer within %1 ms; alignment unknown")
                   .arg(m_timeLimitMs);
        if (m_process) {
            m_process->disconnect(this);
            m_process->kill();
        }
        QJsonObject r = baseResult(QStringLiteral("systemd"), false);
        r.insert(QStringLiteral("unit"), m_unit);
        r.insert(QStringLiteral("required_us"), m_requiredUs);
        r.insert(QStringLiteral("message"), QStringLiteral("systemctl show timed out"));
        finish(r);
    });
    const QString envUnit = qEnvironmentVariable("SLUICE_SYSTEMD_UNIT");
    if (!envUnit.isEmpty()) {
        m_unit = envUnit;
        m_userManager = qEnvironmentVariable("SLUICE_SYSTEMD_SCOPE") != QLatin1String("system");
    } else {
        QFile cg(QStringLiteral("/proc/self/cgroup"));
        UnitRef ref;
        if (cg.open(QIODevice::ReadOnly))
            ref = unitFromCgroup(cg.readAll());
        m_unit = ref.unit.isEmpty() ? QStringLiteral("sluiced.service") : ref.unit;
        m_userManager = ref.unit.isEmpty() ? true : ref.userManager;
    }
}

bool SupervisorAlignment::underSystemd()
{
    return !qEnvironmentVariableIsEmpty("INVOCATION_ID");
}

SupervisorAlignment::UnitRef SupervisorAlignment::unitFromCgroup(const QByteArray &procSelfCgroup)
{
    // cgroup v2: "0::/user.slice/user-1000.slice/user@1000.service/app.slice/sluiced.service"
    // v1 lines look alike after the second ':'; the name=systemd hierarchy is the one to use.
    UnitRef ref;
    const QList<QByteArray> lines = procSelfCgroup.split('\n');
    for (const QByteArray &line : lines) {
        const int second = line.indexOf(':', line.indexOf(':') + 1);
        if (second < 0)
            continue;
        const QString path = QString::fromUtf8(line.mid(second + 1)).trimmed();
        const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        for (int i = parts.size() - 1; i >= 0; --i) {
            if (parts[i].endsWith(QLatin1String(".service")) &&
                !parts[i].startsWith(QLatin1String("user@"))) {
                ref.unit = parts[i];
                ref.userManager = path.contains(QLatin1String("/user@"));
                return ref;
            }
        }
    }
    return ref;
}

QJsonObject SupervisorAlignment::evaluate(const QString &unit, bool userManager, qint64 requiredUs,
                                          const QString &systemctlOutput)
{
    QJsonObject r = baseResult(QStringLiteral("systemd"), true);
    r.insert(QStringLiteral("unit"), unit);
    r.insert(QStringLiteral("user"), userManager);
    r.insert(QStringLiteral("required_us"), requiredUs);
    const QString line = systemctlOutput.trimmed();
    if (!line.contains(QLatin1String("TimeoutStopUSec="))) {
        r.insert(QStringLiteral("checked"), false);
        r.insert(QStringLiteral("message"),
                 QStringLiteral("systemctl show gave no TimeoutStopUSec for %1").arg(unit));
        return r;
    }
    const std::optional<qint64> timeout = parseTimeoutStopUSec(systemctlOutput);
    if (!timeout) {
        // infinity (or 0, which systemd also treats as "no limit"): never too short.
        r.insert(QStringLiteral("timeout_stop_us"), QJsonValue());
        r.insert(QStringLiteral("message"),
                 QStringLiteral("%1 has no finite stop timeout").arg(unit));
        return r;
    }
    r.insert(QStringLiteral("timeout_stop_us"), *timeout);
    if (*timeout >= requiredUs) {
        r.insert(QStringLiteral("message"),
                 QStringLiteral("TimeoutStopSec=%1 covers the stop budget of %2")
                     .arg(formatSeconds(*timeout), formatSeconds(requiredUs)));
        return r;
    }
    const qint64 requiredS = (requiredUs + 999999) / 1000000;
    r.insert(QStringLiteral("aligned"), false);
    r.insert(QStringLiteral("message"),
             QStringLiteral("%1 stops after TimeoutStopSec=%2, shorter than drain timeout + "
                            "interrupt grace + 30 s = %3: running turns may be killed. Fix: set "
                            "TimeoutStopSec=%4 in the unit or run `sluicectl service install "
                            "--force`%5")
                 .arg(unit, formatSeconds(*timeout), formatSeconds(requiredUs))
                 .arg(requiredS)
                 .arg(userManager ? QString() : QStringLiteral(" --system")));
    return r;
}

void SupervisorAlignment::start()
{
    if (!underSystemd()) {
        QTimer::singleShot(0, this, [this] { finish(baseResult(QStringLiteral("none"), false)); });
        return;
    }
    QString systemctl = qEnvironmentVariable("SLUICE_SYSTEMCTL");
    if (systemctl.isEmpty())
        systemctl = QStringLiteral("systemctl");
    QStringList args;
    if (m_userManager)
        args << QStringLiteral("--user");
    args << QStringLiteral("show") << QStringLiteral("-p") << QStringLiteral("TimeoutStopUSec")
         << m_unit;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardInputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::finished, this, &SupervisorAlignment::onProcessFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this, systemctl](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        QJsonObject r = baseResult(QStringLiteral("systemd"), false);
        r.insert(QStringLiteral("unit"), m_unit);
        r.insert(QStringLiteral("required_us"), m_requiredUs);
        r.insert(QStringLiteral("message"), QStringLiteral("%1 not found").arg(systemctl));
        finish(r);
    });
    qCDebug(lcSupervisor).noquote()
        << QStringLiteral("alignment check: %1 %2").arg(systemctl, args.join(QLatin1Char(' ')));
    m_timer->start(m_timeLimitMs);
    m_process->start(systemctl, args);
}

void SupervisorAlignment::onProcessFinished()
{
    const QString out = QString::fromUtf8(m_process->readAllStandardOutput());
    finish(evaluate(m_unit, m_userManager, m_requiredUs, out));
}

void SupervisorAlignment::finish(const QJsonObject &result)
{
    if (m_done)
        return;
    m_done = true;
    m_timer->stop();
    m_result = result;
    if (!result.value(QStringLiteral("aligned")).toBool(true))
        qCWarning(lcSupervisor).noquote()
            << "service manager not aligned:" << result.value(QStringLiteral("message")).toString();
    else if (result.value(QStringLiteral("checked")).toBool())
        qCInfo(lcSupervisor).noquote()
            << "service manager aligned:" << result.value(QStringLiteral("message")).toString();
    Q_EMIT finished(result);
}

} // namespace sluice
